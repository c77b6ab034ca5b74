/// Things the link does on its own that operators and tests watch for.
public enum LinkEvent: Sendable, Equatable {
    case reversalQueued(id: String)
    /// The host answered the reversal (0410) with this response code; it is no longer pending.
    case reversalSettled(id: String, responseCode: String)
    /// The reversal got no answer this time and will be repeated as a 0401.
    case reversalAttemptFailed(id: String, attempts: Int)
    /// An answer came for a request that had already timed out (and is being reversed).
    case lateResponseDiscarded(stan: String, responseCode: String?)
    case breakerOpened(host: String)
    case breakerClosed(host: String)
}

/// A stream of `LinkEvent`s for whoever listens; events nobody reads are dropped, never blocking the link.
final class LinkEvents: Sendable {
    let stream: AsyncStream<LinkEvent>
    private let continuation: AsyncStream<LinkEvent>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: LinkEvent.self, bufferingPolicy: .bufferingNewest(1024))
    }

    func emit(_ event: LinkEvent) { continuation.yield(event) }

    func finish() { continuation.finish() }
}
