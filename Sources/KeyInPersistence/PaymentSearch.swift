import FluentKit
import FluentSQL
import Foundation
import KeyInCore

/// One search of a merchant's payments, filtered, ordered (newest first) and cut into pages by the database, so
/// any payment is found however old it is. The API's list and the console's search both run it.
package struct PaymentSearch: Sendable {
    package var status: PaymentStatus?
    package var requestedFrom: Date?
    package var requestedBefore: Date?
    package var companyCode: String?
    /// Only payments that failed with one of these codes.
    package var failureCodes: [ErrorCode]?
    /// Part of an order id (any case), a whole payment key, or a card's last four digits.
    package var text: String?
    /// Where the page starts: after this payment.
    package var cursor: PaymentCursor?
    package var limit: Int

    package init(
        status: PaymentStatus? = nil, requestedFrom: Date? = nil, requestedBefore: Date? = nil,
        companyCode: String? = nil, failureCodes: [ErrorCode]? = nil, text: String? = nil,
        cursor: PaymentCursor? = nil, limit: Int = 20
    ) {
        self.status = status
        self.requestedFrom = requestedFrom
        self.requestedBefore = requestedBefore
        self.companyCode = companyCode
        self.failureCodes = failureCodes
        self.text = text
        self.cursor = cursor
        self.limit = limit
    }

    package struct Page {
        package let payments: [PaymentRecord]
        /// Set when more payments follow the page.
        package let next: PaymentCursor?
    }

    package func run(merchantID: MerchantID, mode: PaymentMode, on database: any Database) async throws -> Page {
        var builder = PaymentModel.query(on: database).filter(\.$merchant.$id == merchantID.rawValue)
            .filter(\.$mode == mode)
        if let status { builder = builder.filter(\.$status == status) }
        if let requestedFrom { builder = builder.filter(\.$requestedAt >= requestedFrom) }
        if let requestedBefore { builder = builder.filter(\.$requestedAt < requestedBefore) }
        if let companyCode { builder = builder.filter(\.$cardCompanyCode == companyCode) }
        if let failureCodes { builder = builder.filter(\.$failureCode ~~ failureCodes.map(\.rawValue)) }
        if let text, !text.isEmpty {
            builder = builder.group(.or) { either in
                either.filter(
                    .sql(
                        embed:
                            "lower(order_id) LIKE \(bind: "%" + Self.likeEscaped(text.lowercased()) + "%") ESCAPE '\\'")
                )
                either.filter(\.$paymentKey == text)
                if text.count == 4, text.allSatisfy(\.isASCIIDigit) {
                    either.filter(.sql(embed: "card_masked LIKE \(bind: "%" + text)"))
                }
            }
        }
        guard let cursor else {
            let found = try await builder.sort(\.$requestedAt, .descending).sort(\.$id, .descending)
                .limit(limit + 1).all().map(PaymentRecord.init)
            return Page(payments: Array(found.prefix(limit)), next: Self.next(after: found, limit: limit))
        }
        // The page after the cursor's payment, in the order (requested_at, id), both descending. A date written to
        // the database and read back can move by a microsecond, so the database is asked only for what is at most a
        // millisecond newer than the cursor, and the payments up to and including the cursor's own are dropped
        // here, comparing the dates as they were read (what the cursor holds): never a payment twice, never one
        // skipped, even when many share a millisecond.
        builder = builder.filter(\.$requestedAt <= cursor.requestedAt.addingTimeInterval(0.001))
        var margin = 16
        while true {
            let fetched = try await builder.copy().sort(\.$requestedAt, .descending).sort(\.$id, .descending)
                .limit(limit + 1 + margin).all()
            let after = fetched.map(PaymentRecord.init).filter { cursor.precedes($0) }
            if after.count > limit || fetched.count < limit + 1 + margin {
                return Page(payments: Array(after.prefix(limit)), next: Self.next(after: after, limit: limit))
            }
            margin *= 4
        }
    }

    private static func next(after found: [PaymentRecord], limit: Int) -> PaymentCursor? {
        found.count > limit ? PaymentCursor(payment: found[limit - 1]) : nil
    }

    /// `text` with LIKE's wildcards (and its escape character) taken literally.
    static func likeEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Where the next page starts: the last payment shown, as an opaque token.
package struct PaymentCursor: Sendable {
    package let requestedAt: Date
    package let id: UUID

    init(payment: PaymentRecord) {
        requestedAt = payment.requestedAt
        id = payment.id
    }

    /// Whether `payment` comes after this cursor's payment in the list's order (newest first, then by id).
    func precedes(_ payment: PaymentRecord) -> Bool {
        if payment.requestedAt != requestedAt { return payment.requestedAt < requestedAt }
        // The order the databases give UUIDs: byte by byte, which is the order of their hex digits.
        return payment.id.uuidString < id.uuidString
    }

    package init?(encoded: String) {
        guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8) else {
            return nil
        }
        let parts = text.split(separator: "|")
        guard parts.count == 2, let interval = Double(parts[0]), let id = UUID(uuidString: String(parts[1])) else {
            return nil
        }
        requestedAt = Date(timeIntervalSinceReferenceDate: interval)
        self.id = id
    }

    package var encoded: String {
        Data("\(requestedAt.timeIntervalSinceReferenceDate)|\(id.uuidString)".utf8).base64EncodedString()
    }
}
