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

/// A card-testing rule: too many declines by one source within a window, as a count and, for sources that carry
/// much honest traffic (an address behind a NAT, an API key), as a share of its attempts too. When it trips, the
/// source is blocked for `blockSeconds` and its payments are answered with `code` without contacting the card
/// company (or, with `blocks` false, the merchant is alerted and nothing is blocked).
package struct CardTestingRule: Sendable {
    package let source: PaymentSourceKind
    package let declineLimit: Int64
    /// The share of attempts that must have been declined as well; nil for a count alone.
    package let declineShare: Double?
    package let windowSeconds: Int64
    package let blockSeconds: Int64
    package let code: ErrorCode
    package let blocks: Bool

    package var name: String { "\(source.rawValue)-declines" }

    /// The defaults. A link is one order: five declines and it locks for 30 minutes. A card declined five times in
    /// 30 minutes is being guessed at. An address or a key is blocked only when most of what it sends is declined
    /// (honest customers behind one office or carrier address mostly pay). The merchant-wide figure only alerts.
    package static let defaults: [CardTestingRule] = [
        CardTestingRule(
            source: .link, declineLimit: 5, declineShare: nil, windowSeconds: 30 * 60, blockSeconds: 30 * 60,
            code: .fdsError, blocks: true),
        CardTestingRule(
            source: .card, declineLimit: 5, declineShare: nil, windowSeconds: 30 * 60, blockSeconds: 30 * 60,
            code: .exceedMaxAuthCount, blocks: true),
        CardTestingRule(
            source: .address, declineLimit: 10, declineShare: 0.5, windowSeconds: 10 * 60, blockSeconds: 30 * 60,
            code: .fdsError, blocks: true),
        CardTestingRule(
            source: .apiKey, declineLimit: 15, declineShare: 0.5, windowSeconds: 10 * 60, blockSeconds: 30 * 60,
            code: .fdsError, blocks: true),
        CardTestingRule(
            source: .merchant, declineLimit: 30, declineShare: 0.3, windowSeconds: 10 * 60, blockSeconds: 30 * 60,
            code: .fdsError, blocks: false),
    ]

    /// The source kind a rule name (`link-declines`) counts.
    package static func source(ofRule name: String) -> PaymentSourceKind? {
        PaymentSourceKind(rawValue: String(name.dropLast("-declines".count)))
    }

    /// A reason as the console says it: "결제 링크 AbC…: 최근 30분 거절 5회(기준 5회), 14:32까지 차단".
    package static func describe(_ reason: DecisionReason) -> String {
        let kind = source(ofRule: reason.rule)?.label ?? reason.rule
        let subject = reason.subject.isEmpty ? "" : " \(reason.subject)"
        return "\(kind)\(subject): 최근 \(reason.windowMinutes)분 거절 \(reason.count)회(기준 \(reason.limit)회), "
            + "\(DisplayFormat.time(reason.blockedUntil, language: .korean))까지 차단"
    }

    /// Whether `declines` of `attempts` in the window trip the rule.
    package func trips(declines: Int64, attempts: Int64) -> Bool {
        guard declines >= declineLimit else { return false }
        guard let declineShare else { return true }
        return Double(declines) >= declineShare * Double(max(attempts, declines))
    }
}
