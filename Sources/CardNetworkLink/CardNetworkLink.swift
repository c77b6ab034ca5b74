import Foundation
import ISO8583
import KeyInCore
import Logging
import NIOCore
import NIOPosix

/// The gateway's connection to the card network: sends authorizations, captures and refunds to the right
/// card-company host, and guarantees that nothing it sent is left charged when no answer comes back.
///
/// When a 0100, 0200 or 0220 gets no answer (timeout, or the connection ends first), the link records a pending
/// reversal in its store *before* telling the caller, then sends 0400 and repeats it as 0401 on a backoff until
/// a 0410 arrives, across restarts too: `start()` picks up whatever the store still holds.
public actor CardNetworkLink {
    public let configuration: LinkConfiguration
    private let store: any PendingReversalStore
    private let clock: any LinkClock
    private let now: @Sendable () -> Date
    private let stans: STANGenerator
    private let logger: Logger
    private let group: any EventLoopGroup
    private let linkEvents = LinkEvents()
    private var connections: [LinkConfiguration.HostAddress: HostConnection] = [:]
    private var reversalBackoff: [UUID: Duration] = [:]
    private var reversalsInFlight: Set<UUID> = []
    private var background: [Task<Void, Never>] = []

    public nonisolated var events: AsyncStream<LinkEvent> { linkEvents.stream }

    public init(
        configuration: LinkConfiguration,
        store: any PendingReversalStore = InMemoryReversalStore(),
        clock: any LinkClock = SystemLinkClock(),
        now: @escaping @Sendable () -> Date = { Date() },
        stans: STANGenerator = STANGenerator(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "keyin.link")
    ) {
        self.configuration = configuration
        self.store = store
        self.clock = clock
        self.now = now
        self.stans = stans
        self.group = group
        var logger = logger
        logger[metadataKey: "component"] = "link"
        self.logger = logger
    }

    /// Settles the reversals left from an earlier run, then keeps connections checked and reversals retried
    /// in the background until `shutdown()`.
    public func start() async {
        await retryPendingReversals(onlyDue: false)
        let clock = self.clock
        let echoInterval = configuration.echoInterval
        let maximumBackoff = configuration.maximumReconnectBackoff
        // Schedules count from now, fixed before the loops start, so a loop that starts late does not shift them.
        let origin = clock.now
        for address in Set(configuration.hosts.values) {
            let connection = connection(for: address)
            background.append(
                Task {
                    var wait = echoInterval
                    var deadline = origin
                    while !Task.isCancelled {
                        deadline += wait
                        do { try await clock.sleep(until: deadline) } catch { return }
                        let healthy = await connection.checkHealth()
                        // Unhealthy hosts are probed again sooner, then less often, up to the maximum backoff.
                        wait =
                            healthy
                            ? echoInterval
                            : min(max(wait == echoInterval ? .seconds(1) : wait * 2, .seconds(1)), maximumBackoff)
                    }
                })
        }
        let tick = configuration.initialReversalBackoff
        background.append(
            Task {
                var deadline = origin
                while !Task.isCancelled {
                    deadline += tick
                    do { try await clock.sleep(until: deadline) } catch { return }
                    await self.retryPendingReversals(onlyDue: true)
                }
            })
    }

    public func shutdown() async {
        for task in background { task.cancel() }
        background.removeAll()
        for connection in connections.values { await connection.close() }
        connections.removeAll()
    }

    /// A fresh trace (STAN and times) for a message the caller is about to send. Store it with the payment
    /// before calling `authorize`, so a crash in between can be settled with `reverse(...)`.
    public nonisolated func newTrace(terminalID: String, merchantID: String) -> TransactionTrace {
        TransactionTrace(stan: stans.next(), date: now(), terminalID: terminalID, merchantID: merchantID)
    }

    /// Authorizes (0100) or sells (0200) a keyed-in card.
    public func authorize(
        _ request: CardAuthorizationRequest, trace: TransactionTrace
    ) async throws(KeyInError) -> CardApproval {
        let message = MessageBuilder.authorization(request, trace: trace)
        return try await send(message, trace: trace, companyCode: request.companyCode)
    }

    /// Captures (0220) an authorization or refunds (0200/200000) a sale.
    public func followUp(
        _ request: CardFollowUpRequest, trace: TransactionTrace
    ) async throws(KeyInError) -> CardApproval {
        let message = MessageBuilder.followUp(request, trace: trace)
        return try await send(message, trace: trace, companyCode: request.companyCode)
    }

    /// Queues a reversal of a message sent earlier with `trace`, e.g. one whose outcome a crash left unknown.
    /// Returns once the reversal is durable; it is sent in the background.
    public func reverse(
        originalMessageType: MessageTypeIndicator, trace original: TransactionTrace, processingCode: String = "000000",
        amount: Money, posCondition: POSCondition, companyCode: String?
    ) async throws {
        var message = ISO8583Message(mti: originalMessageType)
        message.stamp(original)
        message[.processingCode] = processingCode
        message[.amount] = MessageBuilder.amountField(amount)
        message[.currencyCode] = amount.currency.numericCode
        message[.posConditionCode] = posCondition.rawValue
        try await queueReversal(of: message, companyCode: companyCode)
    }

    /// Reversals not yet answered by their host.
    public func pendingReversals() async throws -> [PendingReversal] {
        try await store.all()
    }

    private func send(
        _ message: ISO8583Message, trace: TransactionTrace, companyCode: String?
    ) async throws(KeyInError) -> CardApproval {
        guard let address = configuration.address(forCompany: companyCode) else {
            logger.error("no card-company host configured", metadata: ["company": "\(companyCode ?? "-")"])
            throw KeyInError(
                .cardCompanyUnavailable, detail: "no host configured for card company \(companyCode ?? "-")")
        }
        // A message that cannot be packed (a value outside its element's format got past the checks) is this side's
        // fault: refused here, unsent. On the wire its encoding would fail on the connection and cut every request
        // in flight there, and the host would be judged for it.
        do {
            _ = try ISO8583Codec.pack(message)
        } catch {
            logger.error("a request could not be encoded; not sent", metadata: ["error": "\(error)"])
            throw KeyInError(.failedInternalSystemProcessing, detail: "the request could not be encoded")
        }
        let response: ISO8583Message
        do {
            response = try await connection(for: address).exchange(message, timeout: configuration.responseTimeout)
        } catch {
            switch error {
            case .notSent(let retryAfter):
                throw KeyInError(.cardCompanyUnavailable, retryAt: retryAfter.map(wallClockDate))
            case .timedOut:
                try await reverseUnanswered(message, companyCode: companyCode)
                throw KeyInError(.cardCompanyResponseTimeout)
            case .connectionLost:
                try await reverseUnanswered(message, companyCode: companyCode)
                throw KeyInError(.cardCompanyConnectionLost)
            }
        }
        switch ResponseMapping.outcome(of: response, trace: trace, sentReference: message[.retrievalReferenceNumber]) {
        case .approved(let approval):
            return approval
        case .declined(let error):
            throw error
        case .unusableApproval(let error):
            try await reverseUnanswered(message, companyCode: companyCode)
            throw error
        }
    }

    private func reverseUnanswered(_ message: ISO8583Message, companyCode: String?) async throws(KeyInError) {
        do {
            try await queueReversal(of: message, companyCode: companyCode)
        } catch {
            // The reversal could not be made durable. The caller must not be told that nothing was charged.
            logger.critical("pending reversal could not be stored", metadata: ["error": "\(error)"])
            throw KeyInError(.failedInternalSystemProcessing, detail: "reversal not stored")
        }
    }

    private func queueReversal(of original: ISO8583Message, companyCode: String?) async throws {
        let reversal = PendingReversal(
            companyCode: companyCode,
            trace: newTrace(terminalID: original[.terminalID] ?? "", merchantID: original[.merchantID] ?? ""),
            original: original, createdAt: now())
        try await store.save(reversal)
        linkEvents.emit(.reversalQueued(id: reversal.id.uuidString))
        logger.notice(
            "reversal queued",
            metadata: ["reversal": "\(reversal.id)", "originalSTAN": "\(reversal.originalSTAN)"])
        Task { await self.attempt(reversal) }
    }

    /// Sends every pending reversal whose backoff has passed (or all of them), one attempt each.
    public func retryPendingReversals(onlyDue: Bool = false) async {
        let pending: [PendingReversal]
        do {
            pending = try await store.all()
        } catch {
            logger.error("pending reversals could not be read", metadata: ["error": "\(error)"])
            return
        }
        let current = clock.now
        await withTaskGroup(of: Void.self) { group in
            for reversal in pending where !onlyDue || (reversalBackoff[reversal.id] ?? .zero) <= current {
                group.addTask { await self.attempt(reversal) }
            }
        }
    }

    private func attempt(_ stored: PendingReversal) async {
        guard reversalsInFlight.insert(stored.id).inserted else { return }
        defer { reversalsInFlight.remove(stored.id) }
        // The store may have moved on (another attempt settled it or counted one) since it was read.
        guard let reversal = try? await store.all().first(where: { $0.id == stored.id }) else { return }
        guard let address = configuration.address(forCompany: reversal.companyCode) else { return }
        let message = MessageBuilder.reversal(reversal, repeat: reversal.attempts > 0)
        do {
            let answer = try await connection(for: address).exchange(
                message, timeout: configuration.responseTimeout, breakerUse: .bypassing,
                following: MatchKey(stan: reversal.originalSTAN, terminalID: reversal.trace.terminalID))
            let code = answer[.responseCode] ?? "--"
            try? await store.settle(reversal, responseCode: code)
            reversalBackoff[reversal.id] = nil
            logger.notice("reversal settled", metadata: ["reversal": "\(reversal.id)", "responseCode": "\(code)"])
            linkEvents.emit(.reversalSettled(id: reversal.id.uuidString, responseCode: code))
        } catch {
            var repeated = reversal
            repeated.attempts += 1
            try? await store.save(repeated)
            let backoff = min(
                configuration.initialReversalBackoff * (1 << min(repeated.attempts - 1, 16)),
                configuration.maximumReversalBackoff)
            reversalBackoff[reversal.id] = clock.now + backoff
            logger.warning(
                "reversal unanswered; will repeat",
                metadata: ["reversal": "\(reversal.id)", "attempts": "\(repeated.attempts)", "reason": "\(error)"])
            linkEvents.emit(.reversalAttemptFailed(id: reversal.id.uuidString, attempts: repeated.attempts))
        }
    }

    private func connection(for address: LinkConfiguration.HostAddress) -> HostConnection {
        if let existing = connections[address] { return existing }
        let configuration = self.configuration
        let stans = self.stans
        let now = self.now
        let connection = HostConnection(
            address: address, configuration: configuration, group: group, clock: clock, logger: logger,
            events: linkEvents,
            makeTrace: {
                TransactionTrace(
                    stan: stans.next(), date: now(), terminalID: configuration.stationTerminalID, merchantID: "")
            })
        connections[address] = connection
        return connection
    }

    /// Whether the breaker for a card company's host is open (requests fail at once).
    public func isBreakerOpen(forCompany code: String?) async -> Bool {
        guard let address = configuration.address(forCompany: code) else { return false }
        return await connection(for: address).isBreakerOpen
    }

    /// Probes a host now, as the background echo does: an open breaker closes when the probe succeeds.
    @discardableResult
    public func checkHealth(forCompany code: String?) async -> Bool {
        guard let address = configuration.address(forCompany: code) else { return false }
        return await connection(for: address).checkHealth()
    }

    /// Converts link-clock time to a wall-clock date, for `retryAt` in errors.
    private func wallClockDate(_ linkTime: Duration) -> Date {
        let seconds = Double((linkTime - clock.now).components.seconds)
        return now().addingTimeInterval(max(0, seconds))
    }
}
