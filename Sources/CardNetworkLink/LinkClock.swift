/// The link's sense of elapsed time: timeouts, backoffs, breaker pauses and echo intervals are all measured on
/// it. Injected so tests move time forward by hand instead of waiting for it.
public protocol LinkClock: Sendable {
    /// Time since an arbitrary, fixed origin.
    var now: Duration { get }
    /// Suspends until `now` reaches `deadline`; returns at once if it already has. Throws when cancelled.
    func sleep(until deadline: Duration) async throws
}

/// Real elapsed time, from the monotonic clock.
public struct SystemLinkClock: LinkClock {
    private let origin = ContinuousClock.now

    public init() {}

    public var now: Duration { ContinuousClock.now - origin }

    public func sleep(until deadline: Duration) async throws {
        try await ContinuousClock().sleep(until: origin + deadline, tolerance: nil)
    }
}
