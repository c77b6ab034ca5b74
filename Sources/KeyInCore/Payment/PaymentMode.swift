/// Test or live, as at Toss Payments and Stripe. A `test_sk_` key makes test payments, which only the built-in
/// card-company simulator processes; a `live_sk_` key makes live ones, which only the configured card-company hosts
/// process. Every payment, payment link, webhook endpoint and delivery carries its mode, and a key of one mode
/// never sees the other's.
public enum PaymentMode: String, Sendable, Codable, CaseIterable {
    case test, live
}
