import Foundation
import IssuerSimulator
import KeyInApp
import KeyInCore
import KeyInGateway
import Testing
import Vapor
import VaporTesting

@Suite("Card data never stored in the clear", .timeLimit(.minutes(2)))
struct CardDataAtRestTests {
    @Test("The database file holds no card number, CVC, birth date, business number or card password")
    func sqliteFileIsClean() async throws {
        try await GatewayHarness.with(onDisk: true) { gateway in
            _ = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(card: "5555555555554444", extra: ["cardCvc": "737", "cardPassword": "12"]),
                headers: ["Idempotency-Key": "clean-1"])
            _ = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(
                    card: "4000000000000002", extra: ["customerIdentityNumber": "1248100998", "cardCvc": "737"]))
            _ = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4242424242424241"))
            let path = try #require(gateway.databasePath)
            // Read everything SQLite wrote, the write-ahead log included.
            var bytes = Data()
            for suffix in ["", "-wal", "-journal"] {
                if let data = FileManager.default.contents(atPath: path + suffix) { bytes.append(data) }
            }
            #expect(bytes.count > 0)
            // Ids, payment keys and fingerprints are hex and may hold any digits by chance; they are not card data.
            // Runs of hex with at least one letter are blanked (a card number has no letters, so it stays).
            let text = String(decoding: bytes, as: UTF8.self)
                .replacing(/(?=[0-9a-fA-F-]*[a-fA-F])[0-9a-fA-F-]{8,}/, with: "#")
            for secret in ["5555555555554444", "4000000000000002", "4242424242424241", "900101", "1248100998"] {
                let bytesText = Array(text.utf8)
                let contexts: [String] = text.utf8.ranges(of: Array(secret.utf8)).map { range in
                    let lower = max(0, text.utf8.distance(from: text.utf8.startIndex, to: range.lowerBound) - 40)
                    let upper = min(bytesText.count, lower + 80 + secret.utf8.count)
                    return String(decoding: bytesText[lower..<upper], as: UTF8.self)
                }
                #expect(contexts.isEmpty, "the database holds \(secret): \(contexts)")
            }
            // The CVC's three digits also turn up by chance inside trace numbers and times (397376): it is looked
            // for where a leak would put it — a value of its own, or element 48 raw or as a sub-element.
            #expect(text.firstMatch(of: /(?:^|[^0-9])737(?:[^0-9]|$)/) == nil, "the database holds the CVC as a value")
            for leak in ["0103737", "01:737"] {
                #expect(!text.contains(leak), "the database holds the CVC in element 48 (\(leak))")
            }
            #expect(text.contains("555555******4444"))
        }
    }
}

@Suite("Card numbers kept only while refunds need them", .timeLimit(.minutes(2)))
struct CardRetentionTests {
    @Test("Past the retention period the number is destroyed and a refund is refused as no longer possible")
    func retentionShredsOldCards() async throws {
        try await GatewayHarness.with { gateway in
            let paid = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
            let key = try #require(paid.body["paymentKey"] as? String)
            #expect(try await gateway.services.shredExpiredCardRecords(retentionDays: 365) == 0)
            gateway.wallClock.advance(seconds: 364 * 86_400)
            #expect(try await gateway.services.shredExpiredCardRecords(retentionDays: 365) == 0)
            gateway.wallClock.advance(seconds: 2 * 86_400)
            #expect(try await gateway.services.shredExpiredCardRecords(retentionDays: 365) == 1)
            let cancel = try await gateway.send(.POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "반품"])
            #expect(cancel.body["code"] as? String == "NOT_CANCELABLE_PAYMENT")
            let after = try await gateway.send(.GET, "v1/payments/\(key)")
            #expect(after.body["status"] as? String == "DONE" && after.body["balanceAmount"] as? Int == 15_000)
        }
    }

    @Test("A fully cancelled payment's number is destroyed at once; a partly cancelled one keeps it for the rest")
    func fullCancelShreds() async throws {
        try await GatewayHarness.with { gateway in
            let full = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
            let partial = try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn())
            _ = try await gateway.send(
                .POST, "v1/payments/\(try #require(full.body["paymentKey"] as? String))/cancel",
                json: ["cancelReason": "전액 취소"])
            let partialKey = try #require(partial.body["paymentKey"] as? String)
            _ = try await gateway.send(
                .POST, "v1/payments/\(partialKey)/cancel", json: ["cancelReason": "부분 취소", "cancelAmount": 5_000])
            // Everything older than "now + 1 day" counts as expired: only the partly cancelled card is still held.
            gateway.wallClock.advance(seconds: 86_400 * 2)
            #expect(try await gateway.services.shredExpiredCardRecords(retentionDays: 1) == 1)
        }
    }
}
