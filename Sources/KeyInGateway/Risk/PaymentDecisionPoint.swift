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
/// detection). Its first rules stop card testing: a source with too many declines, or too many attempts at all, is
/// blocked for a while, and its payments are answered without contacting anyone. Counts and blocks live in the
/// database, so every node on one database shares them.
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

    /// The attempt counts this payment adds (for the attempt ceilings, and for the rules that weigh declines against
    /// attempts), written with the payment's first row: counting adds no write transaction of its own. Each counter
    /// once, though two rules read it: one upsert may not touch a row twice.
    package func attemptIncrements(of payment: PaymentRecord, origin: PaymentOrigin) -> [AttemptWindowStore.Increment] {
        Self.distinct(
            sources(of: payment, origin: origin).filter { $0.rule.counts == .attempts || $0.rule.declineShare != nil }
                .map {
                    AttemptWindowStore.Increment(
                        scope: "\(CountedOutcome.attempts.rawValue)/\($0.rule.source.rawValue)", subject: $0.subject)
                })
    }

    /// The decline counts a card company's decline of this payment adds, written with its outcome.
    package func declineIncrements(of payment: PaymentRecord, origin: PaymentOrigin) -> [AttemptWindowStore.Increment] {
        Self.distinct(
            sources(of: payment, origin: origin).filter { $0.rule.counts == .declines }.map {
                AttemptWindowStore.Increment(scope: $0.rule.scope, subject: $0.subject)
            })
    }

    static func distinct(_ increments: [AttemptWindowStore.Increment]) -> [AttemptWindowStore.Increment] {
        increments.reduce(into: []) { kept, increment in
            if !kept.contains(increment) { kept.append(increment) }
        }
    }

    /// Whether the payment may go to the card company: blocked when any of its sources is, or when a source has
    /// already sent as many attempts as its ceiling allows (that source is then blocked from now, with an alert, as a
    /// decline rule's would be). One read; a write only when a ceiling is reached.
    package func decide(_ payment: PaymentRecord, origin: PaymentOrigin) async throws -> Decision {
        let at = now()
        let blocking = sources(of: payment, origin: origin).filter(\.rule.blocks)
        let ceilings = blocking.filter { $0.rule.counts == .attempts }
        let standing = try await blocks.standing(
            subjects: Array(Set(blocking.map(\.subject))), mode: payment.mode, at: at,
            windows: ceilings.map {
                AttemptWindow(scope: $0.rule.scope, subject: $0.subject, windowSeconds: $0.rule.windowSeconds)
            })
        var reasons: [DecisionReason] = []
        var verdict = Verdict.allow
        for source in blocking {
            var found: DecisionReason?
            if let block = standing.running.first(where: {
                $0.blocks && $0.rule == source.rule.name && $0.subject == source.subject
            }) {
                found = reason(source, count: block.count, until: block.blockedUntil)
            } else if let ceiling = ceilings.firstIndex(where: { $0.rule.name == source.rule.name }),
                standing.counts[ceiling] >= source.rule.limit
            {
                // This payment would be one too many: the source is blocked from now, and the merchant alerted.
                let (block, _) = try await start(source, count: standing.counts[ceiling], by: payment, at: at)
                found = reason(source, count: block.count, until: block.blockedUntil)
            }
            guard let found else { continue }
            reasons.append(found)
            if verdict == .allow { verdict = .block(source.rule.code) }
        }
        return Decision(verdict: verdict, reasons: reasons)
    }

    /// After a decline was counted (with the payment's outcome): every source whose decline rule now trips is
    /// blocked (or, for the merchant-wide figure, alerted) from now. Returns the blocks and alerts this decline
    /// started. One read for every source's windows and running blocks.
    package func blocksTripped(by payment: PaymentRecord, origin: PaymentOrigin) async throws -> [SourceBlockRecord] {
        let at = now()
        let counted = sources(of: payment, origin: origin).filter { $0.rule.counts == .declines }
        // Each source's declines, then (for a rule that weighs a share) its attempts.
        var windows: [AttemptWindow] = []
        for source in counted {
            let rule = source.rule
            windows.append(AttemptWindow(scope: rule.scope, subject: source.subject, windowSeconds: rule.windowSeconds))
            if rule.declineShare != nil {
                windows.append(
                    AttemptWindow(
                        scope: "\(CountedOutcome.attempts.rawValue)/\(rule.source.rawValue)", subject: source.subject,
                        windowSeconds: rule.windowSeconds))
            }
        }
        let standing = try await blocks.standing(
            subjects: Array(Set(counted.map(\.subject))), mode: payment.mode, at: at, windows: windows)
        var started: [SourceBlockRecord] = []
        var next = 0
        for source in counted {
            let rule = source.rule
            let declines = standing.counts[next]
            let tried = rule.declineShare == nil ? declines : standing.counts[next + 1]
            next += rule.declineShare == nil ? 1 : 2
            guard rule.trips(declines: declines, attempts: tried),
                !standing.running.contains(where: {
                    $0.rule == rule.name && $0.subject == source.subject && $0.blocks == rule.blocks
                })
            else { continue }
            let (block, isNew) = try await start(source, count: declines, by: payment, at: at)
            if isNew { started.append(block) }
        }
        return started
    }

    /// Blocks (or alerts about) `source` from `date`, and queues the merchant's webhook about it in the same
    /// transaction. `isNew` is false when a payment at the same moment started the same block first.
    private func start(_ source: Source, count: Int64, by payment: PaymentRecord, at date: Date) async throws
        -> (block: SourceBlockRecord, isNew: Bool)
    {
        let rule = source.rule
        let block = SourceBlockRecord(
            merchantID: payment.merchantID, mode: payment.mode, rule: rule.name, subject: source.subject,
            subjectLabel: source.label, count: count, blocks: rule.blocks, createdAt: date,
            blockedUntil: date.addingTimeInterval(Double(rule.blockSeconds)))
        let isNew = try await blocks.create(
            block, webhook: WebhookPayloads.cardTestingAlert(block, paymentKey: payment.paymentKey),
            paymentKey: payment.paymentKey)
        return (block, isNew)
    }

    func reason(_ source: Source, count: Int64, until: Date) -> DecisionReason {
        DecisionReason(
            rule: source.rule.name, subject: source.label, count: count, limit: source.rule.limit,
            windowMinutes: source.rule.windowSeconds / 60, blockedUntil: until)
    }

    /// Whether the link is locked by one of its rules (declines or attempts) right now: its page then asks the
    /// customer to contact the shop. Only whether a block runs matters, so the merchant's own limits need not be
    /// known.
    package func isLocked(_ link: PaymentLinkRecord) async throws -> Bool {
        let subject = Self.linkSubject(link.linkKey, mode: link.mode)
        return try await blocks.standing(subjects: [subject], mode: link.mode, at: now()).running.contains {
            $0.blocks && CardTestingRule.source(ofRule: $0.rule) == .link
        }
    }

    static func linkSubject(_ key: PaymentLinkKey, mode: PaymentMode) -> String { "\(mode.rawValue) \(key.rawValue)" }

    /// Whether a payment's failure counts as a decline: the card company refused the card or its details. Timeouts,
    /// maintenance and KeyIn's own checks do not.
    package static func isDecline(_ code: ErrorCode) -> Bool {
        [.cardInfo, .cardCompanyPolicy].contains(code.entry.category)
    }
}
