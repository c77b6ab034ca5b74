import Foundation

/// Everything the simulated card companies approved, declined, captured, refunded and reversed, so that a test
/// (or an operator) can reconcile the gateway's records against the card companies'.
public struct LedgerEntry: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case authorization, sale, capture, refund, reversal
    }

    public let kind: Kind
    public let company: String?
    /// First six and last four digits; a ledger never holds full card numbers.
    public let maskedCardNumber: String?
    public let amount: Int64
    public let currencyCode: String
    public let stan: String
    public let transmissionDateTime: String
    public let terminalID: String
    public let merchantID: String
    public let responseCode: String
    public let approvalCode: String?
    public let retrievalReferenceNumber: String?
    /// For captures and refunds: the RRN they refer to. For reversals: the RRN they cancelled, if any.
    public let originalRRN: String?
    public let installmentMonths: Int
    /// The merchant pays the installment interest (element 48 tag 10): the cardholder is charged none.
    public let merchantPaysInterest: Bool
    /// How the card reached the merchant, as element 25 said: 59 e-commerce, 08 mail or telephone order (what a
    /// card company's disputes and fees depend on). Nil when the request had none.
    public var posCondition: String?
    public let recordedAt: Date
    /// Set on an approved authorization or sale once it is reversed.
    public internal(set) var reversed: Bool
    /// For an authorization: captured amount so far. For a sale or capture: refunded amount so far.
    public internal(set) var settledAmount: Int64

    public var isApproved: Bool { responseCode == "00" }
}

/// Sums a reconciliation needs: what is charged to cards right now.
public struct LedgerTotals: Sendable, Codable, Equatable {
    /// Approved sales and captures, less refunds, not reversed.
    public let capturedAmount: Int64
    /// Approved authorizations neither captured nor reversed.
    public let heldAmount: Int64
    public let approvedCount: Int
    public let declinedCount: Int
    public let reversedCount: Int
}

extension Array where Element == LedgerEntry {
    public var totals: LedgerTotals {
        var captured: Int64 = 0
        var held: Int64 = 0
        for entry in self where entry.isApproved && !entry.reversed {
            switch entry.kind {
            case .sale, .capture: captured += entry.amount
            case .refund: captured -= entry.amount
            case .authorization: held += entry.amount - entry.settledAmount
            case .reversal: break
            }
        }
        return LedgerTotals(
            capturedAmount: captured, heldAmount: held,
            approvedCount: filter { $0.isApproved && $0.kind != .reversal }.count,
            declinedCount: filter { !$0.isApproved }.count,
            reversedCount: filter(\.reversed).count)
    }
}
