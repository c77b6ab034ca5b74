/// Stops sending to a card company that keeps failing, so customers get an immediate, clear answer instead of
/// waiting out one timeout after another. Opens after `failureThreshold` consecutive timeouts or connection
/// failures; stays open until an echo probe, allowed from `openUntil` on, succeeds.
struct CircuitBreaker: Sendable {
    let failureThreshold: Int
    let openDuration: Duration
    private(set) var consecutiveFailures = 0
    /// Set while open: when the next probe may go.
    private(set) var openUntil: Duration?

    init(failureThreshold: Int, openDuration: Duration) {
        self.failureThreshold = failureThreshold
        self.openDuration = openDuration
    }

    var isOpen: Bool { openUntil != nil }

    /// Returns true when this success closed an open breaker.
    mutating func recordSuccess() -> Bool {
        let wasOpen = isOpen
        consecutiveFailures = 0
        openUntil = nil
        return wasOpen
    }

    /// Returns true when this failure opened the breaker.
    mutating func recordFailure(now: Duration) -> Bool {
        consecutiveFailures += 1
        if isOpen {
            // A failed probe: stay open for another period.
            openUntil = now + openDuration
            return false
        }
        guard consecutiveFailures >= failureThreshold else { return false }
        openUntil = now + openDuration
        return true
    }
}
