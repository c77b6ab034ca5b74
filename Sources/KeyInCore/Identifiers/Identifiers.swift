import Foundation
import Tagged

// What each identifier names, as a type of its own: a merchant id is never passed where another UUID belongs, nor
// a payment key where some other string does. Each encodes as its raw value, so JSON and columns are unchanged.

public enum MerchantIDTag {}
/// A merchant: every query is scoped to one.
public typealias MerchantID = Tagged<MerchantIDTag, UUID>

public enum PaymentKeyTag {}
/// A payment as the API names it: `pay_` and 32 hex digits, long and random (a receipt's capability).
public typealias PaymentKey = Tagged<PaymentKeyTag, String>

public enum OrderIDTag {}
/// The merchant's own name for an order: 6–64 letters, digits, `-` or `_`, unique per merchant while a payment
/// holds it.
public typealias OrderID = Tagged<OrderIDTag, String>

public enum PaymentLinkKeyTag {}
/// The unguessable token in a payment link's URL (`/pay/{key}`): whoever holds it may pay the link.
public typealias PaymentLinkKey = Tagged<PaymentLinkKeyTag, String>

public enum StaffIDTag {}
/// A member of a merchant's console staff.
public typealias StaffID = Tagged<StaffIDTag, UUID>

public enum InquiryIDTag {}
/// A customer's question to a merchant, by form or live chat, with its thread.
public typealias InquiryID = Tagged<InquiryIDTag, UUID>

public enum TransactionKeyTag {}
/// One transaction of a payment with the card company: its approval, or one of its cancels. 32 uppercase hex
/// digits, as Toss Payments writes its `transactionKey`.
public typealias TransactionKey = Tagged<TransactionKeyTag, String>

extension Tagged where Tag == TransactionKeyTag, RawValue == String {
    /// A fresh key, random enough never to repeat.
    public static func random() -> TransactionKey {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return TransactionKey(rawValue: bytes.hexEncoded.uppercased())
    }
}
