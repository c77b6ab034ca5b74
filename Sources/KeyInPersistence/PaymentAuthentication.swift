import CardholderAuthentication
import FluentKit
import FluentSQL
import Foundation

/// A payment's 3-D Secure authentication as stored with it: which ACS transaction, where it stands, and, while the
/// cardholder is being challenged, the challenge page and when it expires. Never the authentication value: it is
/// good for one authorization, and goes from the card company's answer straight into it.
package struct PaymentAuthentication: Codable, Sendable, Equatable {
    /// The card company's id for the authentication (element 48 tag 09 of the authorization).
    package var acsTransactionID: String
    package var transStatus: TransactionStatus
    package var eci: String?
    /// While challenged: the page the cardholder answers on (`nextAction.url`), and when the challenge expires.
    package var challengeURL: String?
    package var expiresAt: Date?
    /// While challenged: the card's expiry (`YYMM`), which the authorization after the challenge needs. Not a secret
    /// PCI DSS forbids keeping with the number; dropped as the payment leaves the wait. The CVC, birth date and
    /// password digits went to the card company with the authentication and are kept nowhere.
    package var cardExpiry: String?
    /// The merchant required authentication (a challenge mandated): a result of U then fails the payment instead of
    /// letting it go on unauthenticated.
    package var required: Bool

    package init(
        acsTransactionID: String, transStatus: TransactionStatus, eci: String? = nil, challengeURL: String? = nil,
        expiresAt: Date? = nil, required: Bool
    ) {
        self.acsTransactionID = acsTransactionID
        self.transStatus = transStatus
        self.eci = eci
        self.challengeURL = challengeURL
        self.expiresAt = expiresAt
        self.required = required
    }
}

extension PaymentStore {
    /// Payments waiting for their cardholder's challenge, oldest first: the sweep fetches their results and expires
    /// the ones not answered in time. Few rows wait at any time, and the status is indexed.
    package func waitingForAuthentication() async throws -> [PaymentRecord] {
        try await PaymentModel.query(on: database).filter(\.$status == .waitingForAuthentication)
            .sort(\.$requestedAt).all().map(PaymentRecord.init)
    }
}

/// 3-D Secure: a payment keeps its authentication (JSON) while the cardholder is challenged and after; a merchant
/// keeps its policy (when to authenticate, JSON; nil for the defaults).
struct AddCardholderAuthentication: AsyncMigration {
    var name: String { "037_add_cardholder_authentication" }

    func prepare(on database: any Database) async throws {
        try await database.schema(PaymentModel.schema).field("authentication", .string).update()
        try await database.schema(MerchantModel.schema).field("authentication_policy", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(MerchantModel.schema).deleteField("authentication_policy").update()
        try await database.schema(PaymentModel.schema).deleteField("authentication").update()
    }
}
