import Foundation
import KeyInCore

/// Where a payment comes from, as the card-testing rules count it.
package enum PaymentSourceKind: String, Sendable, CaseIterable {
    /// One payment link (the hosted page).
    case link
    /// One client address paying on the hosted page (API callers are the merchant's own servers: not counted).
    case address
    /// One card, by the vault's keyed fingerprint, wherever it is used.
    case card
    /// One API key.
    case apiKey = "api-key"
    /// The merchant as a whole: only ever an alert, so one attacker cannot stop a shop's sales.
    case merchant

    /// How the console names the kind.
    package var label: String {
        switch self {
        case .link: "결제 링크"
        case .address: "접속 주소"
        case .card: "카드"
        case .apiKey: "API 키"
        case .merchant: "상점 전체"
        }
    }
}

/// What a card-testing rule counts in its window.
package enum CountedOutcome: String, Sendable {
    /// The card company's declines of the source's payments (a card tried until its details fit).
    case declines
    /// Every payment the source sends to the card company, whatever the answer: a flood is stopped even when it is
    /// approved or fails without a decline (timeouts, a card company's maintenance).
    case attempts
}

/// A card-testing rule: too many declines (or attempts) by one source within a window, as a count and, for sources
/// that carry much honest traffic (an address behind a NAT, an API key), as a share of its attempts too. When it
/// trips, the source is blocked for `blockSeconds` and its payments are answered with `code` without contacting the
/// card company (or, with `blocks` false, the merchant is alerted and nothing is blocked).
package struct CardTestingRule: Sendable {
    package let source: PaymentSourceKind
    package let counts: CountedOutcome
    package let limit: Int64
    /// The share of attempts that must have been declined as well; nil for a count alone.
    package let declineShare: Double?
    package let windowSeconds: Int64
    package let blockSeconds: Int64
    package let code: ErrorCode
    package let blocks: Bool

    package init(
        source: PaymentSourceKind, counts: CountedOutcome = .declines, limit: Int64, declineShare: Double? = nil,
        windowSeconds: Int64, blockSeconds: Int64, code: ErrorCode, blocks: Bool = true
    ) {
        self.source = source
        self.counts = counts
        self.limit = limit
        self.declineShare = declineShare
        self.windowSeconds = windowSeconds
        self.blockSeconds = blockSeconds
        self.code = code
        self.blocks = blocks
    }

    /// `link-declines`, `card-attempts`, …: what the console, the stored reasons and the webhook call it.
    package var name: String { "\(source.rawValue)-\(counts.rawValue)" }

    /// The window's counter this rule reads: `declines/link`, `attempts/card`, …
    package var scope: String { "\(counts.rawValue)/\(source.rawValue)" }

    /// The defaults. A link is one order: five declines and it locks for 30 minutes. A card declined five times in
    /// 30 minutes is being guessed at. An address or a key is blocked only when most of what it sends is declined
    /// (honest customers behind one office or carrier address mostly pay). The merchant-wide figure only alerts.
    /// Beyond declines, the attempts a link, a card or an address may send at all are capped: one order is not paid
    /// twenty times, one card is not charged twenty times in half an hour by key-in, and one address (even a
    /// carrier's NAT) does not send a payment a second for ten minutes. API keys have no attempt cap unless their
    /// merchant sets one (`CardTestingSettings.apiKeyAttempts`): a key carries its merchant's whole volume.
    package static let defaults: [CardTestingRule] = [
        CardTestingRule(source: .link, limit: 5, windowSeconds: 30 * 60, blockSeconds: 30 * 60, code: .fdsError),
        CardTestingRule(
            source: .card, limit: 5, windowSeconds: 30 * 60, blockSeconds: 30 * 60, code: .exceedMaxAuthCount),
        CardTestingRule(
            source: .address, limit: 10, declineShare: 0.5, windowSeconds: 10 * 60, blockSeconds: 30 * 60,
            code: .fdsError),
        CardTestingRule(
            source: .apiKey, limit: 15, declineShare: 0.5, windowSeconds: 10 * 60, blockSeconds: 30 * 60,
            code: .fdsError),
        CardTestingRule(
            source: .merchant, limit: 30, declineShare: 0.3, windowSeconds: 10 * 60, blockSeconds: 30 * 60,
            code: .fdsError, blocks: false),
        CardTestingRule(
            source: .link, counts: .attempts, limit: 20, windowSeconds: 30 * 60, blockSeconds: 30 * 60,
            code: .fdsError),
        CardTestingRule(
            source: .card, counts: .attempts, limit: 20, windowSeconds: 30 * 60, blockSeconds: 30 * 60,
            code: .exceedMaxAuthCount),
        CardTestingRule(
            source: .address, counts: .attempts, limit: 600, windowSeconds: 10 * 60, blockSeconds: 30 * 60,
            code: .fdsError),
    ]

    /// The source kind and count a rule name (`link-declines`, `card-attempts`) stands for.
    package static func parse(rule name: String) -> (source: PaymentSourceKind, counts: CountedOutcome)? {
        guard let dash = name.lastIndex(of: "-"),
            let counts = CountedOutcome(rawValue: String(name[dash...].dropFirst())),
            let source = PaymentSourceKind(rawValue: String(name[..<dash]))
        else { return nil }
        return (source, counts)
    }

    /// The source kind a rule name counts.
    package static func source(ofRule name: String) -> PaymentSourceKind? { parse(rule: name)?.source }

    /// How the console names what a rule counted: 거절 or 시도.
    package static func countedLabel(ofRule name: String) -> String {
        parse(rule: name)?.counts == .attempts ? "시도" : "거절"
    }

    /// A reason as the console says it: "결제 링크 AbC…: 최근 30분 거절 5회(기준 5회), 14:32까지 차단".
    package static func describe(_ reason: DecisionReason) -> String {
        let kind = source(ofRule: reason.rule)?.label ?? reason.rule
        let subject = reason.subject.isEmpty ? "" : " \(reason.subject)"
        return "\(kind)\(subject): 최근 \(reason.windowMinutes)분 \(countedLabel(ofRule: reason.rule)) \(reason.count)회"
            + "(기준 \(reason.limit)회), \(DisplayFormat.time(reason.blockedUntil, language: .korean))까지 차단"
    }

    /// Whether `declines` of `attempts` in the window trip a decline rule.
    package func trips(declines: Int64, attempts: Int64) -> Bool {
        guard declines >= limit else { return false }
        guard let declineShare else { return true }
        return Double(declines) >= declineShare * Double(max(attempts, declines))
    }
}
