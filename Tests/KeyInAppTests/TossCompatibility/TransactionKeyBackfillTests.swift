import Fluent
import Foundation
import KeyInCore
import Testing

// The rows themselves: a payment stored as one made before transaction keys existed.
@testable import KeyInPersistence

@Suite("Upgrading: rows stored before the Toss fields", .timeLimit(.minutes(2)))
struct TransactionKeyBackfillTests {
    static let databases = GatewayHarness.postgresURL == nil ? [false] : [false, true]

    @Test("Every row without a key gets its own; rows with one keep it", arguments: databases)
    func backfill(onPostgres: Bool) async throws {
        try await GatewayHarness.with(postgres: onPostgres) { gateway in
            let merchant = try await gateway.services.createMerchant(name: "오래된 상점", live: false)
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(), secret: merchant.secretKey)
            let kept = try #require(paid.body["lastTransactionKey"] as? String)
            let database = gateway.app.gatewayDatabase
            // Two payments as an earlier KeyIn stored them: no transaction key.
            for index in 0..<2 {
                try await ConsoleSearchTests.storedPayment(
                    merchantID: merchant.id, key: "pay_old\(index)", orderID: "old-order-\(index)",
                    orderName: "예전 주문", at: gateway.wallClock.now
                ).create(on: database)
            }
            try await TransactionKeyBackfill.fill(PaymentModel.schema, on: database)
            let keys = try await PaymentModel.query(on: database).all().map { ($0.paymentKey, $0.transactionKey) }
            #expect(keys.count == 3)
            #expect(keys.allSatisfy { $0.1?.wholeMatch(of: /[0-9A-F]{32}/) != nil })
            #expect(Set(keys.compactMap(\.1)).count == 3)
            #expect(keys.first { $0.0 == paid.body["paymentKey"] as? String }?.1 == kept)
        }
    }

    @Test("A failure stored under a code that took Toss's name reads as the renamed entry", arguments: databases)
    func renamedCodes(onPostgres: Bool) async throws {
        try await GatewayHarness.with(postgres: onPostgres) { gateway in
            let declined = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000000614"))
            #expect(declined.body["code"] as? String == "EXCEED_MAX_PAYMENT_AMOUNT")
            let key = try #require(declined.body["paymentKey"] as? String)
            // As an earlier KeyIn stored it.
            let database = gateway.app.gatewayDatabase
            try await PaymentModel.query(on: database).filter(\.$paymentKey == key)
                .set(\.$failureCode, to: "EXCEED_MAX_ONE_DAY_AMOUNT").update()
            try await RenameCodesToToss().prepare(on: database)
            let shown = try await gateway.send(.GET, "v1/payments/\(key)")
            #expect((shown.body["failure"] as? [String: Any])?["code"] as? String == "EXCEED_MAX_PAYMENT_AMOUNT")
        }
    }

    @Test(
        "Rows stored before modes take the deployment's mode, and their orders stay taken in it",
        arguments: databases)
    func paymentModes(onPostgres: Bool) async throws {
        try await GatewayHarness.with(postgres: onPostgres, live: true) { gateway in
            let live = try #require(gateway.live)
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: "before-modes-1"))
            #expect(paid.status == .ok)
            // Back to the schema before modes (no mode columns, order locks without a mode), then up again as a
            // deployment without card companies would run it.
            let database = gateway.app.gatewayDatabase
            try await AddPaymentModes(existingRowsMode: .test).revert(on: database)
            try await AddPaymentModes(existingRowsMode: .test).prepare(on: database)
            let row = try #require(try await PaymentModel.query(on: database).first())
            #expect(row.mode == .test)
            #expect(row.orderLock?.hasPrefix("test ") == true)

            let again = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: "before-modes-1"))
            #expect(again.body["code"] as? String == "DUPLICATED_ORDER_ID")
            let shown = try await gateway.send(.GET, "v1/payments/orders/before-modes-1")
            #expect(shown.body["paymentKey"] as? String == paid.body["paymentKey"] as? String)
            let liveOrder = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: "before-modes-1"),
                secret: live.secretKey)
            #expect(liveOrder.status == .ok)
        }
    }
}
