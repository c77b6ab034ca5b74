import FluentKit
import FluentSQL
import Foundation
import KeyInCore

/// One group of a merchant's payments, as the database counts them for the dashboard.
package struct PaymentTally: Sendable, Equatable {
    package let isToday: Bool
    package let isApproved: Bool
    package let status: PaymentStatus
    package let failureCode: String?
    package let cardCompanyCode: String?
    package let payments: Int
    package let amount: Int64

    package init(
        isToday: Bool, isApproved: Bool, status: PaymentStatus, failureCode: String?, cardCompanyCode: String?,
        payments: Int, amount: Int64
    ) {
        self.isToday = isToday
        self.isApproved = isApproved
        self.status = status
        self.failureCode = failureCode
        self.cardCompanyCode = cardCompanyCode
        self.payments = payments
        self.amount = amount
    }
}

package struct DashboardStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    /// The merchant's payments since `weekStart`, counted and summed by the database in one grouped query (however
    /// many there are): by today or not, approved or not, status, failure code and card company.
    package func tallies(of merchantID: MerchantID, mode: PaymentMode, dayStart: Date, weekStart: Date) async throws
        -> [PaymentTally]
    {
        let rows = try await database.sql.raw(
            """
            SELECT CASE WHEN requested_at >= \(bind: dayStart) THEN 1 ELSE 0 END AS today,
            CASE WHEN approve_no IS NULL THEN 0 ELSE 1 END AS approved, status, failure_code, card_company_code,
            COUNT(*) AS payments, CAST(COALESCE(SUM(total_amount), 0) AS BIGINT) AS amount
            FROM payments WHERE merchant_id = \(bind: merchantID) AND mode = \(bind: mode.rawValue)
            AND requested_at >= \(bind: weekStart)
            GROUP BY today, approved, status, failure_code, card_company_code
            """
        ).all()
        return try rows.map { row in
            PaymentTally(
                isToday: try row.decode(column: "today", as: Int.self) == 1,
                isApproved: try row.decode(column: "approved", as: Int.self) == 1,
                status: try row.decode(column: "status", as: PaymentStatus.self),
                failureCode: try row.decode(column: "failure_code", as: String?.self),
                cardCompanyCode: try row.decode(column: "card_company_code", as: String?.self),
                payments: try row.decode(column: "payments", as: Int.self),
                amount: try row.decode(column: "amount", as: Int64.self))
        }
    }
}
