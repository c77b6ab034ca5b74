import Foundation
import KeyInApp
import KeyInGateway
import Testing
import Vapor
import VaporTesting

@Suite("Merchant secret keys", .timeLimit(.minutes(2)))
struct MerchantKeyRotationTests {
    @Test("Rotation issues a new key; the old one works through the grace period and is refused after it")
    func rotationWithGrace() async throws {
        try await GatewayHarness.with { gateway in
            let merchant = try await gateway.services.createMerchant(name: "교체 상점", live: false)
            let newKey = try #require(
                try await gateway.services.rotateMerchantKey(merchantID: merchant.id, live: false, graceSeconds: 3600))
            #expect(newKey.hasPrefix("test_sk_") && newKey != merchant.secretKey)
            let lookup = "v1/payments?limit=1"
            #expect(try await gateway.send(.GET, lookup, secret: merchant.secretKey).status == .ok)
            #expect(try await gateway.send(.GET, lookup, secret: newKey).status == .ok)
            gateway.wallClock.advance(seconds: 3601)
            let old = try await gateway.send(.GET, lookup, secret: merchant.secretKey)
            #expect(old.status == .unauthorized && old.body["code"] as? String == "UNAUTHORIZED_KEY")
            #expect(try await gateway.send(.GET, lookup, secret: newKey).status == .ok)
            // Other merchants' keys are untouched.
            #expect(try await gateway.send(.GET, lookup).status == .ok)
        }
    }

    @Test("Rotation without grace revokes at once; a live rotation leaves test keys alone; unknown merchant is nil")
    func immediateRotation() async throws {
        try await GatewayHarness.with { gateway in
            let merchant = try await gateway.services.createMerchant(name: "즉시 교체", live: false)
            let live = try #require(
                try await gateway.services.rotateMerchantKey(merchantID: merchant.id, live: true, graceSeconds: 0))
            #expect(live.hasPrefix("live_sk_"))
            #expect(try await gateway.send(.GET, "v1/payments", secret: merchant.secretKey).status == .ok)
            let test = try #require(
                try await gateway.services.rotateMerchantKey(merchantID: merchant.id, live: false, graceSeconds: 0))
            #expect(try await gateway.send(.GET, "v1/payments", secret: merchant.secretKey).status == .unauthorized)
            #expect(try await gateway.send(.GET, "v1/payments", secret: test).status == .ok)
            #expect(try await gateway.send(.GET, "v1/payments", secret: live).status == .ok)
            #expect(
                try await gateway.services.rotateMerchantKey(merchantID: UUID(), live: false, graceSeconds: 0) == nil)
        }
    }
}
