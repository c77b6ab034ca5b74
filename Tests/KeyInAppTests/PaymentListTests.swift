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

    @Test(
        "Paging through payments made within the same millisecond shows each exactly once, in order",
        arguments: [false, true])
    func pagingThroughOneMillisecond(postgres: Bool) async throws {
        guard !postgres || GatewayHarness.postgresURL != nil else { return }
        try await GatewayHarness.with(postgres: postgres) { gateway in
            gateway.wallClock.freeze()
            var made: [String] = []
            for index in 0..<24 {
                // A third of them at the very same instant, the rest a fraction of a millisecond apart.
                if index % 3 != 0 { gateway.wallClock.advance(seconds: 0.000_3) }
                let response = try await gateway.send(
                    .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: "same-ms-\(index)0"))
                made.append(try #require(response.body["paymentKey"] as? String))
            }
            var seen: [String] = []
            var cursor: String?
            for _ in 0..<30 {
                let query = cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                let page = try await gateway.send(.GET, "v1/payments?limit=5" + (query ?? ""))
                seen += (page.body["payments"] as? [[String: Any]] ?? []).compactMap { $0["paymentKey"] as? String }
                cursor = page.body["nextCursor"] as? String
                if cursor == nil { break }
            }
            #expect(seen.count == made.count && Set(seen) == Set(made))
            // Newest first: the order they were made in, reversed, except among those made at one instant.
            let instant = Dictionary(
                uniqueKeysWithValues: made.enumerated().map { index, key in
                    (key, (1...max(1, index)).filter { $0 % 3 != 0 }.count * (index == 0 ? 0 : 1))
                })
            #expect(seen.map { instant[$0] ?? 0 } == seen.map { instant[$0] ?? 0 }.sorted(by: >))
        }
    }
}
