import Foundation
import KeyInCore

/// What a merchant may tune of the card-testing rules: how many declines each source may have in its window before
/// it is blocked, how many attempts a link, a card and an address may send at all, and for how long a tripped source
/// is blocked. Kept with the merchant (JSON); a merchant that never changed them has the defaults of
/// `CardTestingRule.defaults`.
package struct CardTestingSettings: Codable, Sendable, Equatable {
    package var linkDeclines: Int64
    package var cardDeclines: Int64
    package var addressDeclines: Int64
    package var apiKeyDeclines: Int64
    package var linkAttempts: Int64
    package var cardAttempts: Int64
    package var addressAttempts: Int64
    /// None by default: a key carries its merchant's whole volume. A merchant that knows its volume sets one, so a
    /// leaked secret key cannot send more than that before it is stopped.
    package var apiKeyAttempts: Int64?
    package var blockMinutes: Int64

    package static let defaults = CardTestingSettings(rules: CardTestingRule.defaults)

    /// Fewer than 2 would block an honest customer's one typing mistake; more than 100 would let card testing run.
    package static let declineRange: ClosedRange<Int64> = 2...100
    /// Fewer than 5 would stop a customer who retries after a timeout; a shop that charges one corporate card all
    /// day, or has a busy office behind one address, may need thousands.
    package static let attemptRange: ClosedRange<Int64> = 5...100_000
    package static let blockMinuteRange: ClosedRange<Int64> = 5...1440

    init(rules: [CardTestingRule]) {
        func limit(_ source: PaymentSourceKind, _ counts: CountedOutcome) -> Int64 {
            rules.first { $0.source == source && $0.counts == counts }?.limit ?? 5
        }
        linkDeclines = limit(.link, .declines)
        cardDeclines = limit(.card, .declines)
        addressDeclines = limit(.address, .declines)
        apiKeyDeclines = limit(.apiKey, .declines)
        linkAttempts = limit(.link, .attempts)
        cardAttempts = limit(.card, .attempts)
        addressAttempts = limit(.address, .attempts)
        apiKeyAttempts = rules.first { $0.source == .apiKey && $0.counts == .attempts }?.limit
        blockMinutes = (rules.first { $0.blocks }?.blockSeconds ?? 1800) / 60
    }

    /// Settings saved before a limit existed read with that limit's default.
    package init(from decoder: any Decoder) throws {
        let stored = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Self.defaults
        func value(_ key: CodingKeys, _ fallback: Int64) throws -> Int64 {
            try stored.decodeIfPresent(Int64.self, forKey: key) ?? fallback
        }
        linkDeclines = try value(.linkDeclines, defaults.linkDeclines)
        cardDeclines = try value(.cardDeclines, defaults.cardDeclines)
        addressDeclines = try value(.addressDeclines, defaults.addressDeclines)
        apiKeyDeclines = try value(.apiKeyDeclines, defaults.apiKeyDeclines)
        linkAttempts = try value(.linkAttempts, defaults.linkAttempts)
        cardAttempts = try value(.cardAttempts, defaults.cardAttempts)
        addressAttempts = try value(.addressAttempts, defaults.addressAttempts)
        apiKeyAttempts = try stored.decodeIfPresent(Int64.self, forKey: .apiKeyAttempts)
        blockMinutes = try value(.blockMinutes, defaults.blockMinutes)
    }

    /// The settings stored with a merchant; the defaults when none were saved (or they no longer read).
    package init(stored json: String?) {
        self =
            json.flatMap { try? JSONDecoder().decode(CardTestingSettings.self, from: Data($0.utf8)) } ?? .defaults
    }

    package var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self) }

    /// The field whose value is out of range, if any.
    package var problem: String? {
        let checked: [(String, Int64, ClosedRange<Int64>)] = [
            ("linkDeclines", linkDeclines, Self.declineRange), ("cardDeclines", cardDeclines, Self.declineRange),
            ("addressDeclines", addressDeclines, Self.declineRange),
            ("apiKeyDeclines", apiKeyDeclines, Self.declineRange),
            ("linkAttempts", linkAttempts, Self.attemptRange), ("cardAttempts", cardAttempts, Self.attemptRange),
            ("addressAttempts", addressAttempts, Self.attemptRange),
            ("apiKeyAttempts", apiKeyAttempts ?? Self.attemptRange.lowerBound, Self.attemptRange),
            ("blockMinutes", blockMinutes, Self.blockMinuteRange),
        ]
        if let outOfRange = checked.first(where: { !$0.2.contains($0.1) }) { return outOfRange.0 }
        // A ceiling below its decline count would leave the decline count with nothing to do.
        let pairs: [(String, Int64, Int64?)] = [
            ("linkAttempts", linkDeclines, linkAttempts), ("cardAttempts", cardDeclines, cardAttempts),
            ("addressAttempts", addressDeclines, addressAttempts), ("apiKeyAttempts", apiKeyDeclines, apiKeyAttempts),
        ]
        return pairs.first { name, declines, attempts in attempts.map { $0 < declines } ?? false }?.0
    }

    /// The rules with these limits; the windows, shares and the merchant-wide alert stay as they are.
    package var rules: [CardTestingRule] {
        let keyCeiling = apiKeyAttempts.map {
            CardTestingRule(
                source: .apiKey, counts: .attempts, limit: $0, windowSeconds: 10 * 60, blockSeconds: 30 * 60,
                code: .fdsError)
        }
        return (CardTestingRule.defaults + (keyCeiling.map { [$0] } ?? [])).map { rule in
            let limit: Int64 =
                switch (rule.source, rule.counts) {
                case (.link, .declines): linkDeclines
                case (.card, .declines): cardDeclines
                case (.address, .declines): addressDeclines
                case (.apiKey, .declines): apiKeyDeclines
                case (.link, .attempts): linkAttempts
                case (.card, .attempts): cardAttempts
                case (.address, .attempts): addressAttempts
                case (.apiKey, .attempts), (.merchant, _): rule.limit
                }
            return CardTestingRule(
                source: rule.source, counts: rule.counts, limit: limit, declineShare: rule.declineShare,
                windowSeconds: rule.windowSeconds, blockSeconds: rule.blocks ? blockMinutes * 60 : rule.blockSeconds,
                code: rule.code, blocks: rule.blocks)
        }
    }
}
