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
