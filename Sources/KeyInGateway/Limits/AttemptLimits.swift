import Foundation
import KeyInCore
import KeyInPersistence

/// How often one source may try something, counted in the database so every node shares the count. An attempt
/// over a rule's limit is refused with TOO_MANY_REQUESTS, and `retryAt` says when the window will have room.
package struct AttemptLimits: Sendable {
    package struct Rule: Sendable {
        /// What is counted and by what: `sign-in/address`, `inquiry/payment`…
        package let scope: String
        package let limit: Int64
        package let windowSeconds: Int64
    }

    /// Console sign-ins from one client address: enough for an office sharing one address, too few to guess.
    package static let signInPerAddress = Rule(scope: "sign-in/address", limit: 30, windowSeconds: 10 * 60)
    /// Password-reset requests from one client address (each account also gets at most 3 links per half hour).
    package static let passwordResetPerAddress = Rule(scope: "reset/address", limit: 10, windowSeconds: 60 * 60)
    /// Inquiries about one payment: a customer with a follow-up, not a flood into the shop's inbox.
    package static let inquiryPerPayment = Rule(scope: "inquiry/payment", limit: 5, windowSeconds: 60 * 60)
    /// Inquiries from one client address, over every payment.
    package static let inquiryPerAddress = Rule(scope: "inquiry/address", limit: 20, windowSeconds: 60 * 60)

    package let store: AttemptWindowStore
    package let now: @Sendable () -> Date

    package init(store: AttemptWindowStore, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.now = now
    }

    /// Counts this attempt of `subject` against `rule`; throws TOO_MANY_REQUESTS when it is over the limit.
    package func admit(_ rule: Rule, subject: String) async throws {
        let at = now()
        let attempts = try await store.record(
            scope: rule.scope, subject: subject, at: at, windowSeconds: rule.windowSeconds)
        guard attempts <= rule.limit else {
            // The oldest bucket in the window leaves it within a minute: try again then, at the earliest.
            throw KeyInError(.tooManyRequests, retryAt: at.addingTimeInterval(Double(AttemptWindowStore.bucketSeconds)))
        }
    }
}
