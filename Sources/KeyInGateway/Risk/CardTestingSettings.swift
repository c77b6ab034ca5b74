import Foundation
import KeyInCore

/// What a merchant may tune of the card-testing rules: how many declines each source may have in its window before
/// it is blocked, and for how long. Kept with the merchant (JSON); a merchant that never changed them has the
/// defaults of `CardTestingRule.defaults`.
package struct CardTestingSettings: Codable, Sendable, Equatable {
    package var linkDeclines: Int64
    package var cardDeclines: Int64
    package var addressDeclines: Int64
    package var apiKeyDeclines: Int64
    package var blockMinutes: Int64

    package static let defaults = CardTestingSettings(rules: CardTestingRule.defaults)

    /// Fewer than 2 would block an honest customer's one typing mistake; more than 100 would let card testing run.
    package static let declineRange: ClosedRange<Int64> = 2...100
    package static let blockMinuteRange: ClosedRange<Int64> = 5...1440

    init(rules: [CardTestingRule]) {
        func limit(_ source: PaymentSourceKind) -> Int64 {
            rules.first { $0.source == source }?.declineLimit ?? 5
        }
        linkDeclines = limit(.link)
        cardDeclines = limit(.card)
        addressDeclines = limit(.address)
        apiKeyDeclines = limit(.apiKey)
        blockMinutes = (rules.first { $0.blocks }?.blockSeconds ?? 1800) / 60
    }

    /// The settings stored with a merchant; the defaults when none were saved (or they no longer read).
    package init(stored json: String?) {
        self =
            json.flatMap { try? JSONDecoder().decode(CardTestingSettings.self, from: Data($0.utf8)) } ?? .defaults
    }

    package var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self) }

    /// The field whose value is out of range, if any.
    package var problem: String? {
        let declines: [(String, Int64)] = [
            ("linkDeclines", linkDeclines), ("cardDeclines", cardDeclines), ("addressDeclines", addressDeclines),
            ("apiKeyDeclines", apiKeyDeclines),
        ]
        if let (name, _) = declines.first(where: { !Self.declineRange.contains($0.1) }) { return name }
        return Self.blockMinuteRange.contains(blockMinutes) ? nil : "blockMinutes"
    }

    /// The rules with these limits; the windows, shares and the merchant-wide alert stay as they are.
    package var rules: [CardTestingRule] {
        CardTestingRule.defaults.map { rule in
            let limit: Int64 =
                switch rule.source {
                case .link: linkDeclines
                case .card: cardDeclines
                case .address: addressDeclines
                case .apiKey: apiKeyDeclines
                case .merchant: rule.declineLimit
                }
            return CardTestingRule(
                source: rule.source, declineLimit: limit, declineShare: rule.declineShare,
                windowSeconds: rule.windowSeconds, blockSeconds: rule.blocks ? blockMinutes * 60 : rule.blockSeconds,
                code: rule.code, blocks: rule.blocks)
        }
    }
}
