import Foundation
import KeyInCore
import KeyInPersistence

/// Where a payment came from, besides its merchant and card: what the card-testing rules count it by.
package struct PaymentOrigin: Sendable {
    /// The payment link it pays (the hosted page).
    package var linkKey: PaymentLinkKey?
    /// The client address of an anonymous payer (the hosted page). API callers are the merchant's own servers, whose
    /// one address carries every customer: not counted.
    package var clientAddress: String?
    /// The API key that sent it: its digest (counted by) and its printable prefix (shown).
    package var apiKey: (digest: String, prefix: String)?

    package init(
        linkKey: PaymentLinkKey? = nil, clientAddress: String? = nil, apiKey: (digest: String, prefix: String)? = nil
    ) {
        self.linkKey = linkKey
        self.clientAddress = clientAddress
        self.apiKey = apiKey
    }
}

/// The one place that decides whether a payment may be sent to the card company: it takes the payment and its
/// origin and answers allow or block, with the reasons (later also challenge, for 3-D Secure, and review, for fraud
/// detection). Its first rules stop card testing: a source with too many declines is blocked for a while, and its
/// payments are answered without contacting anyone. Counts and blocks live in the database, so every node on one
/// database shares them.
package struct PaymentDecisionPoint: Sendable {
    package let attempts: AttemptWindowStore
    package let blocks: SourceBlockStore
    package var rules: [CardTestingRule]
    package let now: @Sendable () -> Date

    package init(
        attempts: AttemptWindowStore, blocks: SourceBlockStore, rules: [CardTestingRule] = CardTestingRule.defaults,
        now: @escaping @Sendable () -> Date
    ) {
        self.attempts = attempts
        self.blocks = blocks
        self.rules = rules
        self.now = now
    }

    package enum Verdict: Sendable, Equatable {
        case allow
        /// Refused with this catalog code, without contacting the card company.
        case block(ErrorCode)
    }

    package struct Decision: Sendable {
        package let verdict: Verdict
        package let reasons: [DecisionReason]
    }

    /// One source of this payment, as a rule counts it.
    struct Source {
        let rule: CardTestingRule
        /// Unique per mode: test payments never count against live ones.
        let subject: String
        let label: String
    }

    func sources(of payment: PaymentRecord, origin: PaymentOrigin) -> [Source] {
        let mode = payment.mode.rawValue
        return rules.compactMap { rule in
            switch rule.source {
            case .link:
                origin.linkKey.map {
                    Source(rule: rule, subject: Self.linkSubject($0, mode: payment.mode), label: $0.rawValue)
                }
            case .address:
                origin.clientAddress.map {
                    Source(rule: rule, subject: "\(mode) \(payment.merchantID.uuidString) \($0)", label: $0)
                }
            case .card:
                Source(rule: rule, subject: "\(mode) \(payment.cardFingerprint)", label: payment.cardMasked)
            case .apiKey:
                origin.apiKey.map { Source(rule: rule, subject: "\(mode) \($0.digest)", label: $0.prefix) }
            case .merchant:
                Source(rule: rule, subject: "\(mode) \(payment.merchantID.uuidString)", label: "")
            }
        }
    }

    /// The attempt counts this payment adds (for the rules that weigh declines against attempts), written with the
    /// payment's first row: counting adds no write transaction of its own.
    package func attemptIncrements(of payment: PaymentRecord, origin: PaymentOrigin) -> [AttemptWindowStore.Increment] {
        sources(of: payment, origin: origin).filter { $0.rule.declineShare != nil }.map {
            AttemptWindowStore.Increment(scope: "attempts/\($0.rule.source.rawValue)", subject: $0.subject)
        }
    }

    /// The decline counts a card company's decline of this payment adds, written with its outcome.
    package func declineIncrements(of payment: PaymentRecord, origin: PaymentOrigin) -> [AttemptWindowStore.Increment] {
        sources(of: payment, origin: origin).map {
            AttemptWindowStore.Increment(scope: "declines/\($0.rule.source.rawValue)", subject: $0.subject)
        }
    }

    /// Whether the payment may go to the card company: blocked when any of its sources is. Reads only.
    package func decide(_ payment: PaymentRecord, origin: PaymentOrigin) async throws -> Decision {
        let at = now()
        let sources = sources(of: payment, origin: origin)
        var reasons: [DecisionReason] = []
        var verdict = Verdict.allow
        let blocking = sources.filter(\.rule.blocks)
        let running = try await blocks.active(subjects: blocking.map(\.subject), mode: payment.mode, at: at)
        for source in blocking {
            guard let block = running.first(where: { $0.rule == source.rule.name && $0.subject == source.subject })
            else { continue }
            reasons.append(reason(source, count: block.count, until: block.blockedUntil))
            if verdict == .allow { verdict = .block(source.rule.code) }
        }
        return Decision(verdict: verdict, reasons: reasons)
    }

    /// After a decline was counted (with the payment's outcome): every source whose rule now trips is blocked (or,
    /// for the merchant-wide figure, alerted) from now. Returns the blocks and alerts this decline started.
    package func blocksTripped(by payment: PaymentRecord, origin: PaymentOrigin) async throws -> [SourceBlockRecord] {
        let at = now()
        var started: [SourceBlockRecord] = []
        for source in sources(of: payment, origin: origin) {
            let rule = source.rule
            let declines = try await attempts.count(
                scope: "declines/\(rule.source.rawValue)", subject: source.subject, at: at,
                windowSeconds: rule.windowSeconds)
            let tried =
                rule.declineShare == nil
                ? declines
                : try await attempts.count(
                    scope: "attempts/\(rule.source.rawValue)", subject: source.subject, at: at,
                    windowSeconds: rule.windowSeconds)
            guard rule.trips(declines: declines, attempts: tried),
                try await blocks.active(
                    rule: rule.name, subject: source.subject, mode: payment.mode, blocks: rule.blocks, at: at) == nil
            else { continue }
            let block = SourceBlockRecord(
                merchantID: payment.merchantID, mode: payment.mode, rule: rule.name, subject: source.subject,
                subjectLabel: source.label, count: declines, blocks: rule.blocks, createdAt: at,
                blockedUntil: at.addingTimeInterval(Double(rule.blockSeconds)))
            try await blocks.create(
                block, webhook: WebhookPayloads.cardTestingAlert(block, paymentKey: payment.paymentKey),
                paymentKey: payment.paymentKey)
            started.append(block)
        }
        return started
    }

    func reason(_ source: Source, count: Int64, until: Date) -> DecisionReason {
        DecisionReason(
            rule: source.rule.name, subject: source.label, count: count, limit: source.rule.declineLimit,
            windowMinutes: source.rule.windowSeconds / 60, blockedUntil: until)
    }

    /// Whether the link is locked by its decline rule right now (its page then asks the customer to contact the shop).
    /// Only whether a block runs matters, so the merchant's own limits need not be known.
    package func isLocked(_ link: PaymentLinkRecord) async throws -> Bool {
        guard let rule = rules.first(where: { $0.source == .link && $0.blocks }) else { return false }
        return try await blocks.active(
            rule: rule.name, subject: Self.linkSubject(link.linkKey, mode: link.mode), mode: link.mode, at: now())
            != nil
    }

    static func linkSubject(_ key: PaymentLinkKey, mode: PaymentMode) -> String { "\(mode.rawValue) \(key.rawValue)" }

    /// Whether a payment's failure counts as a decline: the card company refused the card or its details. Timeouts,
    /// maintenance and KeyIn's own checks do not.
    package static func isDecline(_ code: ErrorCode) -> Bool {
        [.cardInfo, .cardCompanyPolicy].contains(code.entry.category)
    }
}
