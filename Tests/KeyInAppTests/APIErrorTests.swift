import Foundation
import IssuerSimulator
import KeyInApp
import KeyInCore
import KeyInGateway
import Testing
import Vapor
import VaporTesting

@Suite("Errors, authentication and merchant scoping", .timeLimit(.minutes(2)))
struct APIErrorTests {
    @Test("Every answer tells the browser not to guess its type: JSON, errors, pages and assets alike")
    func noSniffing() async throws {
        try await GatewayHarness.with { gateway in
            let answers = [
                try await gateway.send(.POST, "v1/payments/key-in", json: GatewayHarness.keyIn()),
                try await gateway.send(.GET, "v1/payments/pay_nothing"),
                try await gateway.send(.GET, "no/such/route", authenticated: false),
                try await gateway.send(.GET, "help", authenticated: false),
                try await gateway.send(.GET, "assets/pay.js", authenticated: false),
            ]
            for answer in answers {
                #expect(answer.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(answer.status)")
            }
        }
    }

    @Test("No key, a malformed header, an unknown key")
    func authentication() async throws {
        try await GatewayHarness.with { gateway in
            let none = try await gateway.send(.GET, "v1/payments/pay_x", authenticated: false)
            #expect(none.status == .unauthorized && none.body["code"] as? String == "UNAUTHORIZED_KEY")
            let malformed = try await gateway.send(.GET, "v1/payments/pay_x", headers: ["Authorization": "Bearer abc"])
            #expect(malformed.body["code"] as? String == "INCORRECT_BASIC_AUTH_FORMAT")
            let unknown = try await gateway.send(.GET, "v1/payments/pay_x", secret: "test_sk_nope")
            #expect(unknown.status == .unauthorized && unknown.body["code"] as? String == "UNAUTHORIZED_KEY")
        }
    }

    @Test("Another merchant's payment is NOT_FOUND_PAYMENT, never its data")
    func scoping() async throws {
        try await GatewayHarness.with { gateway in
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: "order-mine-01"))
            let paymentKey = try #require(paid.body["paymentKey"] as? String)
            let other = try await gateway.services.createMerchant(name: "다른 상점", live: false).secretKey
            let peek = try await gateway.send(.GET, "v1/payments/\(paymentKey)", secret: other)
            #expect(peek.status == .notFound && peek.body["code"] as? String == "NOT_FOUND_PAYMENT")
            #expect(peek.body["orderId"] == nil)
            let byOrder = try await gateway.send(.GET, "v1/payments/orders/order-mine-01", secret: other)
            #expect(byOrder.body["code"] as? String == "NOT_FOUND_PAYMENT")
        }
    }

    @Test("A path that exists but not with this method: 405 METHOD_NOT_ALLOWED with the methods it takes in Allow")
    func wrongMethod() async throws {
        try await GatewayHarness.with { gateway in
            let put = try await gateway.send(.PUT, "v1/payments", json: [:])
            #expect(put.status == .methodNotAllowed && put.body["code"] as? String == "METHOD_NOT_ALLOWED")
            #expect(put.headers.first(name: .allow) == "GET, HEAD")
            let delete = try await gateway.send(.DELETE, "v1/payments/pay_anything")
            #expect(delete.status == .methodNotAllowed && delete.headers.first(name: .allow) == "GET, HEAD")
            let getCancel = try await gateway.send(.GET, "v1/payments/pay_anything/cancel")
            #expect(getCancel.status == .methodNotAllowed && getCancel.headers.first(name: .allow) == "POST")
            let webhooks = try await gateway.send(.PATCH, "v1/webhooks")
            #expect(webhooks.headers.first(name: .allow) == "GET, HEAD, POST")
            // A path no route has is still 404, with no Allow.
            let nowhere = try await gateway.send(.PUT, "v1/payments/a/b/c")
            #expect(nowhere.status == .notFound && nowhere.headers.first(name: .allow) == nil)
        }
    }

    @Test("A chat route answers a plain GET with 426 and another site's handshake with 403, never a bare 101")
    func webSocketRoutesWithoutHandshake() async throws {
        try await GatewayHarness.with { gateway in
            let plain = try await gateway.send(.GET, "pay/any-link/chat", authenticated: false)
            #expect(plain.status == .upgradeRequired && plain.body["code"] as? String == "UPGRADE_REQUIRED")
            #expect(plain.headers.first(name: .upgrade) == "websocket")
            let handshake: HTTPHeaders = [
                "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Origin": "https://evil.example",
                "Host": "pay.shop.example",
            ]
            let foreign = try await gateway.send(
                .GET, "pay/any-link/chat", headers: handshake, authenticated: false)
            #expect(foreign.status == .forbidden && foreign.body["code"] as? String == "FORBIDDEN_REQUEST")
        }
    }

    @Test("Unknown routes, non-JSON bodies, wrong field types and missing fields: clear 4xx from the catalog")
    func badRequests() async throws {
        try await GatewayHarness.with { gateway in
            let route = try await gateway.send(.GET, "v1/nothing-here")
            #expect(route.status == .notFound && route.body["code"] as? String == "NOT_FOUND_ROUTE")
            let notJSON = try await gateway.send(.POST, "v1/payments/key-in", rawBody: "amount=1000")
            #expect(notJSON.status == .badRequest && notJSON.body["code"] as? String == "INVALID_REQUEST_BODY")
            let wrongType = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(extra: ["amount": "15000"]))
            #expect(
                wrongType.body["code"] as? String == "INVALID_REQUEST" && wrongType.body["param"] as? String == "amount"
            )
            var missing = GatewayHarness.keyIn()
            missing["orderId"] = nil
            let noOrder = try await gateway.send(.POST, "v1/payments/key-in", json: missing)
            #expect(
                noOrder.body["code"] as? String == "INVALID_REQUEST" && noOrder.body["param"] as? String == "orderId")
            let shortOrder = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(orderId: "a1"))
            #expect(shortOrder.body["param"] as? String == "orderId")
            for response in [route, notJSON, wrongType, noOrder] {
                #expect(response.status.code < 500)
                #expect(response.body["customerMessage"] != nil && response.body["helpUrl"] != nil)
            }
        }
    }
}
