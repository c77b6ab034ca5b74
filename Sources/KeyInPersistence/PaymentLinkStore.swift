import FluentKit
import FluentSQL
import Foundation
import KeyInCore

/// A payment link as stored: an amount and order a customer pays once, on the hosted page at `/pay/{linkKey}`.
package struct PaymentLinkRecord: Sendable, Equatable {
    package let id: UUID
    package let merchantID: MerchantID
    /// A test link's payment is a test payment (the built-in simulator), a live link's a live one.
    package let mode: PaymentMode
    /// The unguessable token in the link's URL (the link's id stays internal).
    package let linkKey: PaymentLinkKey
    package let amount: Int64
    package let currency: String
    package let orderID: OrderID
    package let orderName: String
    package let customerName: String?
    package let customerEmail: String?
    package let customerMobilePhone: String?
    package let expiresAt: Date
    /// Set when the merchant withdraws the link before it is paid.
    package var canceledAt: Date?
    /// The payment that paid it; set once.
    package var paymentKey: PaymentKey?
    package let createdAt: Date

    package init(
        id: UUID = UUID(), merchantID: MerchantID, mode: PaymentMode, linkKey: PaymentLinkKey, amount: Int64,
        currency: String,
        orderID: OrderID,
        orderName: String, customerName: String?, customerEmail: String?, customerMobilePhone: String?,
        expiresAt: Date, createdAt: Date
    ) {
        self.id = id
        self.merchantID = merchantID
        self.mode = mode
        self.linkKey = linkKey
        self.amount = amount
        self.currency = currency
        self.orderID = orderID
        self.orderName = orderName
        self.customerName = customerName
        self.customerEmail = customerEmail
        self.customerMobilePhone = customerMobilePhone
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }
}

package struct PaymentLinkStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    package enum CreateRefusal: Error {
        /// The merchant already has a link for this order id.
        case duplicateOrder
    }

    package func create(_ link: PaymentLinkRecord) async throws {
        do {
            try await PaymentLinkModel(link).create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw CreateRefusal.duplicateOrder
        }
    }

    /// The merchant's link with this id in this mode (never another merchant's, nor the other mode's).
    package func link(id: UUID, merchantID: MerchantID, mode: PaymentMode) async throws -> PaymentLinkRecord? {
        try await PaymentLinkModel.query(on: database).filter(\.$id == id)
            .filter(\.$merchant.$id == merchantID.rawValue).filter(\.$mode == mode)
            .first().map(PaymentLinkRecord.init)
    }

    /// The link behind a hosted page.
    package func link(key: PaymentLinkKey) async throws -> PaymentLinkRecord? {
        try await PaymentLinkModel.query(on: database).filter(\.$linkKey == key.rawValue).first().map(
            PaymentLinkRecord.init)
    }

    package func link(id: UUID) async throws -> PaymentLinkRecord? {
        try await PaymentLinkModel.find(id, on: database).map(PaymentLinkRecord.init)
    }

    /// The merchant's newest links of one mode.
    package func newest(of merchantID: MerchantID, mode: PaymentMode, limit: Int) async throws -> [PaymentLinkRecord] {
        try await PaymentLinkModel.query(on: database).filter(\.$merchant.$id == merchantID.rawValue)
            .filter(\.$mode == mode)
            .sort(\.$createdAt, .descending).limit(limit).all().map(PaymentLinkRecord.init)
    }

    /// Stops the link at `date` unless it is paid, already stopped, or being paid right now (a payment for its order
    /// is IN_PROGRESS, or waiting for its 3-D Secure challenge: the card company may approve it). One conditional update decides, so a withdrawal and a
    /// payment never both win. False when refused.
    package func withdraw(id: UUID, at date: Date) async throws -> Bool {
        try await database.compareAndSet(PaymentLinkModel.schema) {
            $0.set("canceled_at", to: date).where("id", .equal, id)
                .where("payment_key", .is, SQLLiteral.null).where("canceled_at", .is, SQLLiteral.null)
                .where(
                    SQLQueryString(
                        """
                        NOT EXISTS (SELECT 1 FROM payments WHERE payments.merchant_id = payment_links.merchant_id
                        AND payments.mode = payment_links.mode AND payments.order_id = payment_links.order_id
                        AND payments.status IN (\(bind: PaymentStatus.inProgress.rawValue), \(bind: PaymentStatus.waitingForAuthentication.rawValue)))
                        """))
        }
    }
}

extension PaymentLinkModel {
    convenience init(_ record: PaymentLinkRecord) {
        self.init()
        id = record.id
        $merchant.id = record.merchantID.rawValue
        mode = record.mode
        linkKey = record.linkKey.rawValue
        amount = record.amount
        currency = record.currency
        orderID = record.orderID.rawValue
        orderName = record.orderName
        customerName = record.customerName
        customerEmail = record.customerEmail
        customerMobilePhone = record.customerMobilePhone
        expiresAt = record.expiresAt
        canceledAt = record.canceledAt
        paymentKey = record.paymentKey?.rawValue
        createdAt = record.createdAt
    }
}

extension PaymentLinkRecord {
    init(_ model: PaymentLinkModel) {
        self.init(
            id: model.id ?? UUID(), merchantID: MerchantID(model.$merchant.id), mode: model.mode,
            linkKey: PaymentLinkKey(model.linkKey),
            amount: model.amount,
            currency: model.currency, orderID: OrderID(model.orderID), orderName: model.orderName,
            customerName: model.customerName, customerEmail: model.customerEmail,
            customerMobilePhone: model.customerMobilePhone, expiresAt: model.expiresAt, createdAt: model.createdAt)
        canceledAt = model.canceledAt
        paymentKey = model.paymentKey.map { PaymentKey(rawValue: $0) }
    }
}
