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

/// One persistent TCP connection to one card-company host, with many requests in flight on it.
///
/// Responses find their requests by STAN and terminal id. Every request has a deadline on the link clock; an
/// answer that arrives after it is logged and dropped, since by then the request is being reversed.
actor HostConnection {
    let address: LinkConfiguration.HostAddress
    private let configuration: LinkConfiguration
    private let group: any EventLoopGroup
    private let clock: any LinkClock
    private let logger: Logger
    private let events: LinkEvents
    private let makeTrace: @Sendable () -> TransactionTrace

    private var channel: (any Channel)?
    private var connecting: Task<any Channel, any Error>?
    private var pending: [MatchKey: PendingExchange] = [:]
    private var breaker: CircuitBreaker
    private var lastActivity: Duration

    private struct PendingExchange {
        let continuation: CheckedContinuation<ISO8583Message, any Error>
        let channel: ObjectIdentifier
        let timeout: Task<Void, Never>
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
            failureThreshold: configuration.breakerFailureThreshold, openDuration: configuration.breakerOpenDuration)
        self.lastActivity = clock.now
    }

    var isBreakerOpen: Bool { breaker.isOpen }
    var isConnected: Bool { channel?.isActive ?? false }

    /// How an exchange relates to the circuit breaker.
    enum BreakerUse {
        /// A payment request: refused while open; its outcome counts.
        case guarded
        /// A reversal: goes even while open (it must get through); its failures count, its successes do not,
        /// since a host that answers reversals but not payments is still failing.
        case bypassing
        /// An echo probe: goes while open, and its success closes the breaker.
        case probe
    }

    /// Sends `message` and waits for its answer.
    func exchange(
        _ message: ISO8583Message, timeout: Duration, breakerUse: BreakerUse = .guarded
    ) async throws(ExchangeFailure) -> ISO8583Message {
        let bypassingBreaker = breakerUse != .guarded
        if !bypassingBreaker, let openUntil = breaker.openUntil {
            throw .notSent(retryAfter: max(openUntil, clock.now + .seconds(1)))
        }
        let channel: any Channel
        do {
            channel = try await connectedChannel()
        } catch {
            recordFailure()
            throw .notSent(retryAfter: breaker.openUntil)
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
            if breakerUse != .bypassing, breaker.recordSuccess() {
                logger.notice("circuit breaker closed")
                events.emit(.breakerClosed(host: address.description))
            }
            return response
        } catch let failure as ExchangeFailure {
            if failure == .timedOut || failure == .connectionLost { recordFailure() }
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
            duplicate.timeout.cancel()
            duplicate.continuation.resume(throwing: ExchangeFailure.connectionLost)
        }
        let timeout = Task { [clock] in
            do {
                try await clock.sleep(until: deadline)
            } catch {
                return
            }
            self.fail(key: key, with: .timedOut)
        }
        pending[key] = PendingExchange(
            continuation: continuation, channel: ObjectIdentifier(channel), timeout: timeout)
    }

    private func fail(key: MatchKey, with failure: ExchangeFailure) {
        guard let exchange = pending.removeValue(forKey: key) else { return }
        exchange.timeout.cancel()
        if failure == .timedOut { logger.warning("no answer before the deadline", metadata: ["stan": "\(key.stan)"]) }
        exchange.continuation.resume(throwing: failure)
    }

    private func recordFailure() {
        if breaker.recordFailure(now: clock.now) {
            logger.error("circuit breaker opened after repeated failures")
            events.emit(.breakerOpened(host: address.description))
        }
    }

    /// An answer arrived: hand it to its request, or drop it when the request already gave up.
    func received(_ result: Result<ISO8583Message, ISO8583Error>, on channel: ObjectIdentifier) {
        lastActivity = clock.now
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
            exchange.timeout.cancel()
            exchange.continuation.resume(returning: message)
        }
    }

    /// The connection ended: every request still waiting on it has lost its answer.
    func closed(_ closedChannel: ObjectIdentifier) {
        if let channel, ObjectIdentifier(channel) == closedChannel { self.channel = nil }
        let lost = pending.filter { $0.value.channel == closedChannel }
        for (key, exchange) in lost {
            pending[key] = nil
            exchange.timeout.cancel()
            exchange.continuation.resume(throwing: ExchangeFailure.connectionLost)
        }
        if !lost.isEmpty {
            logger.warning("connection lost with requests in flight", metadata: ["count": "\(lost.count)"])
        }
    }

    private func connectedChannel() async throws -> any Channel {
        if let channel, channel.isActive { return channel }
        if let connecting { return try await connecting.value }
        let task = Task { try await self.openChannel() }
        connecting = task
        defer { connecting = nil }
        let channel = try await task.value
        self.channel = channel
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
        self.channel = channel
        let signOn = MessageBuilder.networkManagement(.signOn, trace: makeTrace())
        do {
            let answer = try await exchangeOn(channel, signOn)
            guard answer[.responseCode] == "00" else {
                logger.error("sign-on refused", metadata: ["responseCode": "\(answer[.responseCode] ?? "-")"])
                throw ExchangeFailure.notSent(retryAfter: nil)
            }
        } catch {
            self.channel = nil
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
        connecting?.cancel()
        if let channel {
            try? await channel.close()
        }
        channel = nil
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
