/// Stops sending to a card company's host that is failing, so customers get an immediate, clear answer instead of
/// waiting out one timeout after another, while a host that only loses the odd request or connection keeps taking
/// payments.
///
/// It judges the host by the share of recent calls that failed, over a sliding window and only once the window holds
/// enough calls to mean something, not by a run of failures: on a busy link one lost connection fails every request
/// in flight on it at once, and counting each of those would turn one loss into an outage. The connection counts a
/// lost connection once for that reason. A host that stops answering altogether is tripped at once (`trip`), without
/// waiting for the window. When open, it refuses calls for `openDuration`, then lets a few live calls through
/// (half-open): the first success closes it, a failure opens it again.
struct CircuitBreaker: Sendable {
    struct Policy: Sendable {
        /// How far back calls are weighed.
        var window: Duration = .seconds(10)
        /// Fewer calls than this in the window say nothing about the host.
        var minimumCalls = 20
        /// Open when at least this share of the window's calls failed.
        var failureRate = 0.5
        var openDuration: Duration = .seconds(5)
        /// Live calls let through at once while half-open.
        var probes = 3
    }

    enum State: Sendable, Equatable {
        case closed
        /// Refusing calls until then.
        case open(until: Duration)
        /// Trying the host with at most `policy.probes` live calls; `inFlight` of them are out.
        case halfOpen(inFlight: Int)
    }

    /// What a call may do now.
    enum Admission: Sendable, Equatable {
        case allowed
        /// Allowed as one of the half-open probes: its outcome decides, and it must be reported as a probe.
        case probe
        /// Refused: the host is being spared. Try again from then (link-clock time).
        case refused(retryAfter: Duration)
    }

    /// How the breaker changed, for the log and the link's events.
    enum Transition: Sendable, Equatable {
        case opened
        case closed
    }

    let policy: Policy
    private(set) var state = State.closed
    /// The window's calls by the second they ended in, as a ring: a busy link weighs thousands of calls a second,
    /// so each is only added to its second's count.
    private var seconds: [Second]

    private struct Second {
        var second: Int64 = .min
        var calls = 0
        var failures = 0
    }

    init(policy: Policy) {
        self.policy = policy
        seconds = Array(repeating: Second(), count: max(1, Int(policy.window.components.seconds)))
    }

    var isOpen: Bool { state != .closed }

    /// When an open breaker lets calls through again; nil when closed or half-open.
    var openUntil: Duration? {
        if case .open(let until) = state { until } else { nil }
    }

    /// Whether a call may go now. A probe ticket must be handed back through `record(_:probe:at:)`.
    mutating func admit(at now: Duration) -> Admission {
        switch state {
        case .closed:
            return .allowed
        case .open(let until):
            guard now >= until else { return .refused(retryAfter: until) }
            state = .halfOpen(inFlight: 1)
            return .probe
        case .halfOpen(let inFlight):
            guard inFlight < policy.probes else { return .refused(retryAfter: now + .seconds(1)) }
            state = .halfOpen(inFlight: inFlight + 1)
            return .probe
        }
    }

    /// A call's outcome. `probe`: it was admitted as a half-open probe, whose success closes the breaker and whose
    /// failure opens it for another pause. Outcomes of calls that were already out when the breaker opened say
    /// nothing new and are ignored.
    mutating func record(failed: Bool, probe: Bool = false, at now: Duration) -> Transition? {
        switch state {
        case .closed:
            return weigh(failed: failed, at: now)
        case .open, .halfOpen:
            guard probe else { return nil }
            if failed {
                state = .open(until: now + policy.openDuration)
                return nil
            }
            state = .closed
            forget()
            return .closed
        }
    }

    /// Adds a closed breaker's call to the window, and opens when the window's failure rate reaches the policy's.
    private mutating func weigh(failed: Bool, at now: Duration) -> Transition? {
        let second = now.components.seconds
        let slot = Int(second.magnitude % UInt64(seconds.count))
        if seconds[slot].second != second { seconds[slot] = Second(second: second) }
        seconds[slot].calls += 1
        if failed { seconds[slot].failures += 1 }
        guard failed else { return nil }
        let current = seconds.filter { $0.second > second - Int64(seconds.count) }
        let calls = current.reduce(0) { $0 + $1.calls }
        let failures = current.reduce(0) { $0 + $1.failures }
        guard calls >= policy.minimumCalls, Double(failures) >= policy.failureRate * Double(calls) else { return nil }
        return trip(at: now)
    }

    /// Opens at once: the host was seen to stop answering, or cannot be reached at all.
    mutating func trip(at now: Duration) -> Transition? {
        let wasClosed = state == .closed
        state = .open(until: now + policy.openDuration)
        forget()
        return wasClosed ? .opened : nil
    }

    /// A host that was open starts again with a clean window.
    private mutating func forget() {
        seconds = Array(repeating: Second(), count: seconds.count)
    }
}
