import CardNetworkLink
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

    /// Keyed in by the merchant's staff on the console's virtual terminal: a phone or mail order. No cardholder is
    /// at the keyboard to answer a challenge, and 3-D Secure leaves such payments out of its scope.
    package var keyedByStaff: Bool

    /// The cardholder is at the keyboard (the hosted page), so a 3-D Secure challenge can be answered.
    package var cardholderPresent: Bool { linkKey != nil }

    /// What element 25 tells the card company: e-commerce when the cardholder keyed the card in on the hosted page,
    /// else a mail or telephone order (the merchant's staff or its server keyed it in).
    package var posCondition: POSCondition { cardholderPresent ? .ecommerce : .mailOrTelephoneOrder }

    package init(
        linkKey: PaymentLinkKey? = nil, clientAddress: String? = nil, apiKey: (digest: String, prefix: String)? = nil,
        keyedByStaff: Bool = false
    ) {
        self.linkKey = linkKey
        self.clientAddress = clientAddress
        self.apiKey = apiKey
        self.keyedByStaff = keyedByStaff
    }

    /// What a stored payment keeps of its origin: the hosted page's link it was paid on. For a step after the
    /// payment's first request (the authorization after a challenge, a capture, a refund).
    package init(recordedFor payment: PaymentRecord) {
        self.init(linkKey: payment.metadata?[PaymentDTO.checkoutLinkMetadataKey].map(PaymentLinkKey.init(rawValue:)))
    }
}

/// The one place that decides whether a payment may be sent to the card company: it takes the payment and its
/// origin and answers allow or block, with the reasons (later also review, for fraud detection), and judges the
/// risk that decides whether a 3-D Secure challenge is asked for (`authenticationRiskIsHigh`). Its first rules
/// stop card testing: a source with too many declines, or too many attempts at all, is blocked for a while, and its
/// payments are answered without contacting anyone. Counts and blocks live in the database, so every node on one
/// database shares them.
package struct PaymentDecisionPoint: Sendable {
    /// The blocks, and (through `standing`) the attempt windows the payments' own transactions count in.
    package let blocks: SourceBlockStore
    package var rules: [CardTestingRule]
    package let now: @Sendable () -> Date

    package init(
        blocks: SourceBlockStore, rules: [CardTestingRule] = CardTestingRule.defaults,
        now: @escaping @Sendable () -> Date
    ) {
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
        /// What an allowed payment counts in its first transaction: its attempts, each capped where a ceiling
        /// applies (`AttemptWindowStore.OverCeiling` when attempts at the same moment got there first).
        package var counting: [AttemptWindowStore.Increment] = []

        /// The catalog code a blocked payment is answered with; nil when allowed.
        package var blockedWith: ErrorCode? {
            if case .block(let code) = verdict { code } else { nil }
        }
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
                // Declines count wherever the card is guessed at: a card tested at one shop is not then tried at
                // another. Attempts count per merchant, whose own ceiling it is (a shop that charges one corporate
                // card all day raises its own, and one shop's many charges never block the card at another).
                Source(
                    rule: rule,
                    subject: rule.counts == .attempts
                        ? "\(mode) \(payment.merchantID.uuidString) \(payment.cardFingerprint)"
                        : "\(mode) \(payment.cardFingerprint)",
                    label: payment.cardMasked)
            case .apiKey:
                origin.apiKey.map { Source(rule: rule, subject: "\(mode) \($0.digest)", label: $0.prefix) }
            case .merchant:
                Source(rule: rule, subject: "\(mode) \(payment.merchantID.uuidString)", label: "")
            }
        }
    }

    /// The attempt counts an allowed payment adds (for the attempt ceilings, and for the rules that weigh declines
    /// against attempts), written with the payment's first row: counting adds no write transaction of its own. Each
    /// counter once, though two rules read it (one upsert may not touch a row twice), capped by the tightest
    /// ceiling: its limit less what the window's earlier minutes hold.
    func attemptIncrements(_ sources: [Source], sums: [String: SourceBlockStore.WindowSum]) -> [AttemptWindowStore
        .Increment]
    {
        var increments: [AttemptWindowStore.Increment] = []
        for source in sources where source.rule.counts == .attempts || source.rule.declineShare != nil {
            var increment = AttemptWindowStore.Increment(scope: Self.attemptScope(source), subject: source.subject)
            if source.rule.counts == .attempts, let earlier = sums[source.rule.name]?.earlier {
                increment.ceiling = source.rule.limit - earlier
            }
            if let index = increments.firstIndex(where: {
                $0.scope == increment.scope && $0.subject == increment.subject
            }) {
                let ceilings = [increments[index].ceiling, increment.ceiling].compactMap { $0 }
                increments[index].ceiling = ceilings.min()
            } else {
                increments.append(increment)
            }
        }
        return increments
    }

    static func attemptScope(_ source: Source) -> String {
        "\(CountedOutcome.attempts.rawValue)/\(source.rule.source.rawValue)"
    }

    /// The decline counts a card company's decline of this payment adds, written with its outcome. (Each source has
    /// one decline rule, so no counter comes twice.)
    package func declineIncrements(of payment: PaymentRecord, origin: PaymentOrigin) -> [AttemptWindowStore.Increment] {
        sources(of: payment, origin: origin).filter { $0.rule.counts == .declines }.map {
            AttemptWindowStore.Increment(scope: $0.rule.scope, subject: $0.subject)
        }
    }

    /// Whether the payment may go to the card company: blocked when any of its sources is, or when a source has
    /// already sent as many attempts as its ceiling allows (that source is then blocked from now, with an alert, as a
    /// decline rule's would be). One read; a write only when a ceiling is reached.
    package func decide(_ payment: PaymentRecord, origin: PaymentOrigin) async throws -> Decision {
        // The windows as of the payment's own time: the minute its attempts are counted in.
        let at = payment.requestedAt
        let all = sources(of: payment, origin: origin)
        let blocking = all.filter(\.rule.blocks)
        let ceilings = blocking.filter { $0.rule.counts == .attempts }
        let standing = try await blocks.standing(
            subjects: Array(Set(blocking.map(\.subject))), mode: payment.mode, at: at,
            windows: ceilings.map {
                AttemptWindow(scope: $0.rule.scope, subject: $0.subject, windowSeconds: $0.rule.windowSeconds)
            })
        let sums = Dictionary(uniqueKeysWithValues: zip(ceilings.map(\.rule.name), standing.sums))
        var reasons: [DecisionReason] = []
        var verdict = Verdict.allow
        for source in blocking {
            guard
                let block = standing.running.first(where: {
                    $0.blocks && $0.rule == source.rule.name && $0.subject == source.subject
                })
            else { continue }
            reasons.append(reason(source, count: block.count, until: block.blockedUntil))
            if verdict == .allow { verdict = .block(source.rule.code) }
        }
        // No block runs, but this payment would be one too many for a ceiling: that source is blocked from now, and
        // the merchant alerted. (A payment blocked already starts none: it adds no attempt.)
        if verdict == .allow,
            let source = ceilings.first(where: { (sums[$0.rule.name]?.total ?? 0) >= $0.rule.limit }),
            let sum = sums[source.rule.name]
        {
            let (block, _) = try await start(source, count: sum.total, by: payment, at: at)
            reasons.append(reason(source, count: block.count, until: block.blockedUntil))
            verdict = .block(source.rule.code)
        }
        var decision = Decision(verdict: verdict, reasons: reasons)
        if verdict == .allow { decision.counting = attemptIncrements(all, sums: sums) }
        return decision
    }

    /// The payment's attempt took `over`'s row past its ceiling (attempts at the same moment got there first): the
    /// source whose ceiling it is gets its block, as `decide` would have given it a moment later.
    package func overCeiling(
        _ payment: PaymentRecord, origin: PaymentOrigin, _ over: AttemptWindowStore.OverCeiling
    ) async throws -> Decision {
        guard
            let source = sources(of: payment, origin: origin).first(where: {
                $0.rule.counts == .attempts && $0.rule.blocks && Self.attemptScope($0) == over.scope
                    && $0.subject == over.subject
            })
        else { throw over }
        let (block, _) = try await start(source, count: source.rule.limit, by: payment, at: payment.requestedAt)
        return Decision(
            verdict: .block(source.rule.code), reasons: [reason(source, count: block.count, until: block.blockedUntil)])
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
                        scope: Self.attemptScope(source), subject: source.subject, windowSeconds: rule.windowSeconds))
            }
        }
        let standing = try await blocks.standing(
            subjects: Array(Set(counted.map(\.subject))), mode: payment.mode, at: at, windows: windows)
        var started: [SourceBlockRecord] = []
        var next = 0
        for source in counted {
            let rule = source.rule
            let declines = standing.sums[next].total
            let tried = rule.declineShare == nil ? declines : standing.sums[next + 1].total
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

    /// Whether a 3-D Secure challenge is worth asking for: the amount reaches the merchant's challenge amount, or
    /// the card was declined lately (in its decline rule's window, anywhere). One read, only for payments that are
    /// authenticated.
    package func authenticationRiskIsHigh(_ payment: PaymentRecord, challengeAmount: Int64) async throws -> Bool {
        if payment.totalAmount >= challengeAmount { return true }
        guard
            let card = sources(of: payment, origin: PaymentOrigin()).first(where: {
                $0.rule.source == .card && $0.rule.counts == .declines
            })
        else { return false }
        let standing = try await blocks.standing(
            subjects: [], mode: payment.mode, at: now(),
            windows: [
                AttemptWindow(scope: card.rule.scope, subject: card.subject, windowSeconds: card.rule.windowSeconds)
            ])
        return (standing.sums.first?.total ?? 0) > 0
    }

    static func linkSubject(_ key: PaymentLinkKey, mode: PaymentMode) -> String { "\(mode.rawValue) \(key.rawValue)" }

    /// Whether a payment's failure counts as a decline: the card company refused the card or its details. Timeouts,
    /// maintenance and KeyIn's own checks do not.
    package static func isDecline(_ code: ErrorCode) -> Bool {
        [.cardInfo, .cardCompanyPolicy].contains(code.entry.category)
    }
}
