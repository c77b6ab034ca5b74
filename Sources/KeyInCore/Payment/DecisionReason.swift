import Foundation

/// One reason the payment decision point gave: which rule, about which source, what it counted, and until when
/// the source is blocked. Stored with the payment and shown in the console.
public struct DecisionReason: Codable, Sendable, Equatable {
    /// The rule, e.g. `link-declines`.
    public let rule: String
    /// The source as the console shows it: a link key, a client address, a masked card number, a key prefix.
    public let subject: String
    /// What the rule counted (declines or attempts) in its window.
    public let count: Int64
    public let limit: Int64
    public let windowMinutes: Int64
    /// When the source may pay again.
    public let blockedUntil: Date

    public init(
        rule: String, subject: String, count: Int64, limit: Int64, windowMinutes: Int64, blockedUntil: Date
    ) {
        self.rule = rule
        self.subject = subject
        self.count = count
        self.limit = limit
        self.windowMinutes = windowMinutes
        self.blockedUntil = blockedUntil
    }
}
