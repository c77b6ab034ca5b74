import ISO8583
import ISO8583Transport
import Logging
import NIOCore
import NIOPosix

/// Why an exchange with a card-company host produced no answer.
enum ExchangeFailure: Error, Equatable {
    /// Nothing was sent: no connection could be made, or the breaker is open. `retryAfter` is link-clock time.
    case notSent(retryAfter: Duration?)
    /// Sent, and no answer came within the timeout.
    case timedOut
    /// The connection ended (or the write failed) before the answer: the host may or may not have acted on it.
    case connectionLost
}

/// The link to one card-company host: up to `connectionsPerHost` persistent TCP connections, opened as traffic needs
/// them, each signed on and carrying many requests at once, with one circuit breaker for the host.
///
/// Responses find their requests by STAN and terminal id. Every request has a deadline on the link clock; an
/// answer that arrives after it is logged and dropped, since by then the request is being reversed. A lost
/// connection fails only the requests in flight on it; it is replaced at once, and counts once against the host.
actor HostConnection {
    let address: LinkConfiguration.HostAddress
    private let configuration: LinkConfiguration
    private let group: any EventLoopGroup
    private let clock: any LinkClock
    private let logger: Logger
    private let events: LinkEvents
    private let makeTrace: @Sendable () -> TransactionTrace

    /// The signed-on connections, and how many requests each has in flight.
    private var lanes: [ObjectIdentifier: Lane] = [:]
    /// Connections being opened (and signed on) now.
    private var opening: [Int: Task<any Channel, any Error>] = [:]
    private var openings = 0
    private var pending: [MatchKey: PendingExchange] = [:]
    /// The connection each timed-out request went on, while it is open: the request's reversal goes on the same
    /// one, behind it, so the host cannot see the reversal before a late original on another connection.
    private var timedOutOn: [MatchKey: ObjectIdentifier] = [:]
    private var breaker: CircuitBreaker
    private var lastActivity: Duration
    /// How many messages the host has sent: one that sends nothing while requests wait has stalled.
    private var receivedCount = 0
    private var closing = false

    private struct Lane {
        let channel: any Channel
        var inFlight = 0
    }

    private struct PendingExchange {
        let continuation: CheckedContinuation<ISO8583Message, any Error>
        let channel: ObjectIdentifier
        let timeout: Task<Void, Never>
        /// `receivedCount` when it was sent.
        let receivedBefore: Int
    }

    init(
        address: LinkConfiguration.HostAddress, configuration: LinkConfiguration, group: any EventLoopGroup,
        clock: any LinkClock, logger: Logger, events: LinkEvents, makeTrace: @escaping @Sendable () -> TransactionTrace
    ) {
        self.address = address
        self.configuration = configuration
        self.group = group
        self.clock = clock
        var logger = logger
        logger[metadataKey: "host"] = "\(address)"
        self.logger = logger
        self.events = events
        self.makeTrace = makeTrace
        self.breaker = CircuitBreaker(
            policy: CircuitBreaker.Policy(
                window: configuration.breakerWindow, minimumCalls: configuration.breakerMinimumCalls,
                failureRate: configuration.breakerFailureRate, openDuration: configuration.breakerOpenDuration,
                probes: configuration.breakerProbes))
        self.lastActivity = clock.now
    }

    var isBreakerOpen: Bool { breaker.isOpen }
    var isConnected: Bool { lanes.values.contains { $0.channel.isActive } }

    /// How an exchange relates to the circuit breaker.
    enum BreakerUse {
        /// A payment request: refused while open; its outcome counts (as a probe while half-open).
        case guarded
        /// A reversal: goes even while open (it must get through); its failures count, its successes do not,
        /// since a host that answers reversals but not payments is still failing.
        case bypassing
        /// An echo probe: refused during the open pause, and after it, its success closes the breaker.
        case probe
    }

    /// Sends `message` and waits for its answer. `following`: the request this one reverses, whose connection it
    /// takes when that request timed out on one that is still open.
    func exchange(
        _ message: ISO8583Message, timeout: Duration, breakerUse: BreakerUse = .guarded,
        following original: MatchKey? = nil
    ) async throws(ExchangeFailure) -> ISO8583Message {
        var probe = false
        if breakerUse != .bypassing {
            switch breaker.admit(at: clock.now) {
            case .allowed: break
            case .probe: probe = true
            case .refused(let retryAfter): throw .notSent(retryAfter: max(retryAfter, clock.now + .seconds(1)))
            }
        }
        let channel: any Channel
        do {
            if let original, let lane = timedOutOn[original], let behind = lanes[lane]?.channel, behind.isActive {
                channel = behind
            } else {
                channel = try await connectedChannel()
            }
        } catch {
            // The failed connection was counted once, by `open`, however many requests waited for it.
            if probe { note(failed: true, probe: true) }
            // Nothing was sent: another connection that is up may carry it. A new connection is tried once more
            // only when the host took the last one and lost it signing on; one that refused is not asked again.
            if let other = lanes.values.filter({ $0.channel.isActive }).min(by: { $0.inFlight < $1.inFlight }) {
                channel = other.channel
            } else if error is ExchangeFailure, !probe, let again = try? await connectedChannel() {
                channel = again
            } else {
                throw .notSent(retryAfter: breaker.openUntil)
            }
        }
        guard let key = MatchKey(message) else { throw .connectionLost }
        // The deadline is fixed before the write, so time that passes while writing counts against it.
        let deadline = clock.now + timeout
        do {
            let response = try await withCheckedThrowingContinuation { continuation in
                register(key: key, channel: channel, deadline: deadline, continuation: continuation)
                channel.writeAndFlush(message).whenFailure { [weak self] error in
                    Task { await self?.fail(key: key, with: ExchangeFailure.connectionLost) }
                }
            }
            lastActivity = clock.now
            if breakerUse != .bypassing { note(failed: false, probe: probe) }
            if let original { timedOutOn[original] = nil }
            return response
        } catch let failure as ExchangeFailure {
            switch failure {
            case .timedOut: note(failed: true, probe: probe)
            // The connection's loss is counted once, when it closes; a probe's loss is its own failure.
            case .connectionLost where probe: note(failed: true, probe: true)
            case .connectionLost, .notSent: break
            }
            throw failure
        } catch {
            throw .connectionLost
        }
    }

    private func register(
        key: MatchKey, channel: any Channel, deadline: Duration,
        continuation: CheckedContinuation<ISO8583Message, any Error>
    ) {
        if let duplicate = pending.removeValue(forKey: key) {
            // A STAN still in flight on this terminal would make answers ambiguous; the older request loses.
            settled(duplicate)
            duplicate.continuation.resume(throwing: ExchangeFailure.connectionLost)
        }
        let stallAt = clock.now + configuration.stallTimeout
        let timeout = Task { [clock] in
            do {
                if stallAt < deadline {
                    try await clock.sleep(until: stallAt)
                    self.checkStall(key: key)
                }
                try await clock.sleep(until: deadline)
            } catch {
                return
            }
            self.fail(key: key, with: .timedOut)
        }
        let lane = ObjectIdentifier(channel)
        lanes[lane]?.inFlight += 1
        pending[key] = PendingExchange(
            continuation: continuation, channel: lane, timeout: timeout, receivedBefore: receivedCount)
    }

    /// A request is no longer waiting: its timeout is cancelled and its connection has one less in flight.
    private func settled(_ exchange: PendingExchange) {
        exchange.timeout.cancel()
        if let inFlight = lanes[exchange.channel]?.inFlight { lanes[exchange.channel]?.inFlight = max(0, inFlight - 1) }
    }

    private func fail(key: MatchKey, with failure: ExchangeFailure) {
        guard let exchange = pending.removeValue(forKey: key) else { return }
        settled(exchange)
        if failure == .timedOut {
            logger.warning("no answer before the deadline", metadata: ["stan": "\(key.stan)"])
            // Kept while its connection is open; a host that times out without end forgets the oldest.
            if timedOutOn.count >= 10_000 { timedOutOn.removeAll() }
            timedOutOn[key] = exchange.channel
        }
        exchange.continuation.resume(throwing: failure)
    }

    /// A request has waited `stallTimeout`: when the host has sent nothing at all since it went, while others wait
    /// too, the host has stopped answering, and the breaker opens now rather than after the timeouts. One slow
    /// answer while the link is quiet is not a stall.
    private func checkStall(key: MatchKey) {
        guard let exchange = pending[key], receivedCount == exchange.receivedBefore, pending.count >= 2 else { return }
        if breaker.trip(at: clock.now) == .opened {
            logger.error("circuit breaker opened: the host has stopped answering")
            events.emit(.breakerOpened(host: address.description))
        }
    }

    /// Counts an outcome with the breaker, and reports what that changed.
    private func note(failed: Bool, probe: Bool) {
        switch breaker.record(failed: failed, probe: probe, at: clock.now) {
        case .opened:
            logger.error("circuit breaker opened: too many of the host's recent requests failed")
            events.emit(.breakerOpened(host: address.description))
        case .closed:
            logger.notice("circuit breaker closed")
            events.emit(.breakerClosed(host: address.description))
        case nil:
            break
        }
    }

    /// An answer arrived: hand it to its request, or drop it when the request already gave up.
    func received(_ result: Result<ISO8583Message, ISO8583Error>, on channel: ObjectIdentifier) {
        lastActivity = clock.now
        receivedCount += 1
        logger.trace("received", metadata: ["message": "\(result)"])
        switch result {
        case .failure(let error):
            logger.error("unreadable message from host dropped", metadata: ["error": "\(error)"])
        case .success(let message):
            guard let key = MatchKey(message), let exchange = pending[key], exchange.channel == channel else {
                logger.warning(
                    "late or unmatched answer discarded",
                    metadata: ["message": "\(message)"])
                events.emit(
                    .lateResponseDiscarded(
                        stan: message[.systemTraceAuditNumber] ?? "", responseCode: message[.responseCode]))
                return
            }
            pending[key] = nil
            settled(exchange)
            exchange.continuation.resume(returning: message)
        }
    }

    /// A connection ended: every request still waiting on it has lost its answer. The loss counts once against the
    /// host, and, when it carried traffic, a replacement is opened at once.
    func closed(_ closedChannel: ObjectIdentifier) {
        lanes[closedChannel] = nil
        timedOutOn = timedOutOn.filter { $0.value != closedChannel }
        let lost = pending.filter { $0.value.channel == closedChannel }
        for (key, exchange) in lost {
            pending[key] = nil
            exchange.timeout.cancel()
            exchange.continuation.resume(throwing: ExchangeFailure.connectionLost)
        }
        guard !lost.isEmpty, !closing else { return }
        logger.warning("connection lost with requests in flight", metadata: ["count": "\(lost.count)"])
        note(failed: true, probe: false)
        guard !breaker.isOpen, lanes.count + opening.count < configuration.connectionsPerHost else { return }
        Task { _ = try? await self.open() }
    }

    /// A connection for the next request: an idle one if there is one, a new one while under the limit, else the
    /// least busy.
    private func connectedChannel() async throws -> any Channel {
        if closing { throw ExchangeFailure.notSent(retryAfter: nil) }
        let active = lanes.values.filter { $0.channel.isActive }
        let leastBusy = active.min { $0.inFlight < $1.inFlight }
        if let leastBusy, leastBusy.inFlight == 0 { return leastBusy.channel }
        if active.count + opening.count < max(1, configuration.connectionsPerHost) { return try await open() }
        if let leastBusy { return leastBusy.channel }
        // Every connection is still being opened: take the first that is ready.
        guard let first = opening.values.first else { return try await open() }
        return try await first.value
    }

    /// Opens, signs on and adds one more connection.
    private func open() async throws -> any Channel {
        openings += 1
        let id = openings
        let task = Task { try await self.openChannel() }
        opening[id] = task
        defer { opening[id] = nil }
        let channel: any Channel
        do {
            channel = try await task.value
        } catch {
            note(failed: true, probe: false)
            throw error
        }
        if channel.isActive { lanes[ObjectIdentifier(channel)] = Lane(channel: channel) }
        return channel
    }

    private func openChannel() async throws -> any Channel {
        // Inbound events go through one stream, consumed in order, so an answer that arrives just before the
        // connection closes is matched before the close fails what is still waiting.
        let (inbound, relay) = AsyncStream.makeStream(of: InboundEvent.self)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(configuration.connectTimeout.timeAmount)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addISO8583Codec()
                    try channel.pipeline.syncOperations.addHandler(InboundRelay(relay: relay))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: address.host, port: address.port).get()
        } catch {
            relay.finish()
            logger.warning("cannot connect", metadata: ["error": "\(error)"])
            throw error
        }
        Task {
            for await event in inbound {
                switch event {
                case .message(let result, let channel): self.received(result, on: channel)
                case .closed(let channel): self.closed(channel)
                }
            }
        }
        logger.info("connected")
        // Sign on before anything else goes on the connection.
        let signOn = MessageBuilder.networkManagement(.signOn, trace: makeTrace())
        do {
            let answer = try await exchangeOn(channel, signOn)
            guard answer[.responseCode] == "00" else {
                logger.error("sign-on refused", metadata: ["responseCode": "\(answer[.responseCode] ?? "-")"])
                throw ExchangeFailure.notSent(retryAfter: nil)
            }
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return channel
    }

    /// An exchange on a given channel, used while connecting (no breaker, no reconnect).
    private func exchangeOn(_ channel: any Channel, _ message: ISO8583Message) async throws -> ISO8583Message {
        guard let key = MatchKey(message) else { throw ExchangeFailure.connectionLost }
        logger.trace("signing on", metadata: ["message": "\(message)"])
        let deadline = clock.now + configuration.responseTimeout
        return try await withCheckedThrowingContinuation { continuation in
            register(key: key, channel: channel, deadline: deadline, continuation: continuation)
            channel.writeAndFlush(message).whenFailure { [weak self] _ in
                Task { await self?.fail(key: key, with: .connectionLost) }
            }
        }
    }

    /// Sends an echo when the connection has been idle for `echoInterval`, or when the breaker is open and its
    /// pause is over. Returns whether the host is reachable now.
    func checkHealth() async -> Bool {
        let now = clock.now
        logger.trace("health check", metadata: ["connected": "\(isConnected)", "breakerOpen": "\(breaker.isOpen)"])
        if let openUntil = breaker.openUntil, now < openUntil { return false }
        if !breaker.isOpen, isConnected, now - lastActivity < configuration.echoInterval { return true }
        do {
            let echo = MessageBuilder.networkManagement(.echo, trace: makeTrace())
            let answer = try await exchange(echo, timeout: configuration.responseTimeout, breakerUse: .probe)
            return answer[.responseCode] == "00"
        } catch {
            return false
        }
    }

    func close() async {
        closing = true
        for task in opening.values { task.cancel() }
        for lane in lanes.values { try? await lane.channel.close() }
        lanes.removeAll()
    }
}

enum InboundEvent: Sendable {
    case message(Result<ISO8583Message, ISO8583Error>, ObjectIdentifier)
    case closed(ObjectIdentifier)
}

/// Passes every decoded message and the connection's end, in order, to the `HostConnection`.
private final class InboundRelay: ChannelInboundHandler, Sendable {
    typealias InboundIn = Result<ISO8583Message, ISO8583Error>

    private let relay: AsyncStream<InboundEvent>.Continuation

    init(relay: AsyncStream<InboundEvent>.Continuation) {
        self.relay = relay
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        relay.yield(.message(unwrapInboundIn(data), ObjectIdentifier(context.channel)))
    }

    func channelInactive(context: ChannelHandlerContext) {
        relay.yield(.closed(ObjectIdentifier(context.channel)))
        relay.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A broken frame means the stream is out of step; start again on a new connection.
        context.close(promise: nil)
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
