import Fluent
import Foundation
import KeyInApp
import KeyInCore
import KeyInGateway
import Testing
import Vapor

// The rows themselves: bulk inserts and a look at what is stored, which no store offers.
@testable import KeyInPersistence

@Suite("Console payment search: run by the database, any payment however old, page by page", .timeLimit(.minutes(2)))
struct ConsoleSearchTests {
    /// Payments written straight to the database: hundreds of them, newer than the one a test looks for.
    static func insertPayments(
        _ count: Int, merchantID: UUID, after start: Date, on database: any Database
    ) async throws {
        try await database.transaction { database in
            for index in 0..<count {
                try await storedPayment(
                    merchantID: merchantID, key: "pay_bulk\(index)", orderID: String(format: "bulk-%05d", index),
                    orderName: "대량 주문", at: start.addingTimeInterval(Double(index + 1))
                ).create(on: database)
            }
        }
    }

    /// A DONE payment of 1,000원 as a row, written straight to the table (no transaction key, as an earlier KeyIn
    /// stored it).
    static func storedPayment(
        merchantID: UUID, key: String, orderID: String, orderName: String, at date: Date
    ) -> PaymentModel {
        let payment = PaymentModel()
        payment.id = UUID()
        payment.$merchant.id = merchantID
        payment.mode = .test
        payment.paymentKey = key
        payment.orderID = orderID
        payment.orderName = orderName
        payment.status = .done
        payment.totalAmount = 1000
        payment.balanceAmount = 1000
        payment.currency = "KRW"
        payment.capture = true
        payment.installmentMonths = 0
        payment.cardBrand = "VISA"
        payment.cardMasked = "424242******4242"
        payment.cardFingerprint = key
        payment.requestedAt = date
        payment.taxFreeAmount = 0
        payment.usesFreeInstallmentPlan = false
        return payment
    }

    /// The order ids the payments table of a console page lists, in order.
    static func listedOrders(_ page: HTMLPage) throws -> [String] {
        try #require(try page.first("table#payments")).rows.map { $0[0] }
    }

    static func nextPage(_ page: HTMLPage) throws -> String? {
        try page.first("a#next-page")?["href"]
    }

    /// SQLite always; PostgreSQL too when `KEYIN_TEST_POSTGRES_URL` names a server (LIKE and lower() differ).
    static let databases = GatewayHarness.postgresURL == nil ? [false] : [false, true]

    @Test(
        "An order older than the newest 500 payments is found, and the pages together list every payment once",
        arguments: databases)
    func findsOldPayments(onPostgres: Bool) async throws {
        try await GatewayHarness.with(postgres: onPostgres) { gateway in
            let merchant = try await gateway.services.createMerchant(name: "오래된 상점", live: false)
            try await gateway.services.createStaff(
                merchantID: merchant.id, email: "owner@old.example", password: "correct horse battery", owner: true)
            var body = GatewayHarness.keyIn()
            body["orderId"] = "OLD-order_0001"
            let paid = try await gateway.send(.POST, "v1/payments/key-in", json: body, secret: merchant.secretKey)
            #expect(paid.status == .ok)
            try await Self.insertPayments(
                600, merchantID: merchant.id, after: gateway.wallClock.now, on: gateway.app.gatewayDatabase)
            let session = try await ConsoleSession.signIn(
                gateway, email: "owner@old.example", password: "correct horse battery")

            // Part of the order id, in another case: the database searches every payment, not the newest 500.
            #expect(try Self.listedOrders(try await session.page("console/payments?q=old-ORDER")) == ["OLD-order_0001"])
            // LIKE's wildcards are taken literally: `_` matches only an underscore, `%` only a percent sign.
            #expect(try Self.listedOrders(try await session.page("console/payments?q=order_0")) == ["OLD-order_0001"])
            #expect(try Self.listedOrders(try await session.page("console/payments?q=bulk_0")).isEmpty)
            let none = try await session.page("console/payments?q=%25")
            #expect(try Self.listedOrders(none).isEmpty)
            // The search box keeps what was typed.
            #expect(try none.first("input#q")?["value"] == "%")

            // Page after page, newest first, 100 at a time, until the oldest.
            var listed: [String] = []
            var path: String? = "/console/payments"
            var pages = 0
            while let next = path, pages < 10 {
                let page = try await session.page(next)
                let orders = try Self.listedOrders(page)
                path = try Self.nextPage(page)
                #expect(orders.count == (path == nil ? 1 : 100))
                listed += orders
                pages += 1
            }
            #expect(pages == 7)
            #expect(listed.count == 601 && Set(listed).count == 601)
            #expect(listed.first == "bulk-00599" && listed.last == "OLD-order_0001")

            // Filters travel with the pages.
            let done = try await session.page("console/payments?status=DONE&q=bulk-0")
            #expect(try done.first("select#status option[selected]")?["value"] == "DONE")
            let second = try #require(try Self.nextPage(done))
            let query = URLComponents(string: second)?.queryItems ?? []
            #expect(query.contains(URLQueryItem(name: "status", value: "DONE")))
            #expect(query.contains(URLQueryItem(name: "q", value: "bulk-0")))
            let restOrders = try Self.listedOrders(try await session.page(second))
            #expect(restOrders.count == 100 && restOrders.allSatisfy { $0.hasPrefix("bulk-0") })
        }
    }
}
