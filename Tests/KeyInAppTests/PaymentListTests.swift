import Foundation
import KeyInApp
import KeyInCore
import KeyInGateway
import Testing
import Vapor
import VaporTesting

@Suite("GET /v1/payments", .timeLimit(.minutes(2)))
struct PaymentListTests {
    @Test("Newest first, filtered by status, paged with a cursor, only the merchant's own")
    func listing() async throws {
        try await GatewayHarness.with { gateway in
            var keys: [String] = []
            for index in 0..<5 {
                gateway.wallClock.advance(seconds: 1)
                let card = index == 2 ? "4000000000000002" : "4242424242424242"
                let response = try await gateway.send(
                    .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: card, orderId: "list-order-\(index)0")
                )
                keys.append(try #require(response.body["paymentKey"] as? String))
            }
            let firstPage = try await gateway.send(.GET, "v1/payments?limit=2")
            let firstItems = try #require(firstPage.body["payments"] as? [[String: Any]])
            #expect(firstItems.compactMap { $0["paymentKey"] as? String } == [keys[4], keys[3]])
            #expect(firstPage.body["hasNext"] as? Bool == true)
            let cursor = try #require(firstPage.body["nextCursor"] as? String)
            let secondPage = try await gateway.send(
                .GET,
                "v1/payments?limit=2&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            let secondItems = try #require(secondPage.body["payments"] as? [[String: Any]])
            #expect(secondItems.compactMap { $0["paymentKey"] as? String } == [keys[2], keys[1]])

            let aborted = try await gateway.send(.GET, "v1/payments?status=ABORTED")
            #expect(
                (aborted.body["payments"] as? [[String: Any]])?.compactMap { $0["paymentKey"] as? String } == [keys[2]])
            #expect(aborted.body["hasNext"] as? Bool == false)

            let other = try await gateway.services.createMerchant(name: "다른 상점", live: false).secretKey
            let theirs = try await gateway.send(.GET, "v1/payments", secret: other)
            #expect((theirs.body["payments"] as? [Any])?.isEmpty == true)

            let badStatus = try await gateway.send(.GET, "v1/payments?status=PAID")
            #expect(
                badStatus.body["code"] as? String == "INVALID_REQUEST" && badStatus.body["param"] as? String == "status"
            )
            let badLimit = try await gateway.send(.GET, "v1/payments?limit=1000")
            #expect(badLimit.body["param"] as? String == "limit")
            let badCursor = try await gateway.send(.GET, "v1/payments?cursor=nonsense")
            #expect(badCursor.body["param"] as? String == "cursor")
        }
    }
}
