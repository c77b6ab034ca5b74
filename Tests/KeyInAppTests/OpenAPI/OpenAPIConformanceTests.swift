import Foundation
import KeyInApp
import KeyInCore
import KeyInGateway
import Logging
import Testing
import Vapor
import VaporTesting

@Suite("openapi.yaml: served, complete, and what the API really answers", .timeLimit(.minutes(2)))
struct OpenAPIConformanceTests {
    typealias Operation = OpenAPIContract.Operation

    static func contract(_ gateway: GatewayHarness) async throws -> OpenAPIContract {
        let served = try await gateway.send(.GET, "openapi.yaml", authenticated: false)
        #expect(served.status == .ok)
        #expect(served.headers.contentType?.subType == "yaml")
        return try OpenAPIContract(yaml: String(decoding: served.raw, as: UTF8.self))
    }

    @Test("Every route the server has is documented, and every documented operation exists")
    func routesMatchDocument() async throws {
        try await GatewayHarness.with { gateway in
            let contract = try await Self.contract(gateway)
            let served = Set(
                gateway.app.routes.all.map { route in
                    Operation(
                        method: route.method.rawValue,
                        path: "/"
                            + route.path.map { component in
                                if case .parameter(let name) = component { return "{\(name)}" }
                                return component.description
                            }.joined(separator: "/"))
                })
            #expect(
                served.subtracting(contract.operations).isEmpty,
                "undocumented: \(served.subtracting(contract.operations))")
            #expect(
                contract.operations.subtracting(served).isEmpty,
                "not served: \(contract.operations.subtracting(served))")
        }
    }

    @Test("The documented error codes are exactly the catalog's")
    func errorCodesMatchCatalog() async throws {
        try await GatewayHarness.with { gateway in
            let contract = try await Self.contract(gateway)
            let documented = contract.schema(named: "ErrorCode")?["enum"]?.array?.compactMap(\.string) ?? []
            #expect(documented == ErrorCode.allCases.map(\.rawValue))
        }
    }

    @Test("The checker finds a wrong type, a missing field, an undocumented field and an unknown status")
    func checkerCatchesMismatches() async throws {
        try await GatewayHarness.with { gateway in
            let contract = try await Self.contract(gateway)
            let schema = try #require(contract.schema(named: "Error"))
            let good = try JSONDecoder().decode(
                JSONValue.self,
                from: Data(
                    #"{"code":"INVALID_REQUEST","message":"m","category":"request","retryable":false,"customerMessage":{"ko":"가","en":"a"},"helpUrl":"/help/x"}"#
                        .utf8))
            #expect(contract.violations(of: good, against: schema).isEmpty)
            let bad = try JSONDecoder().decode(
                JSONValue.self,
                from: Data(
                    #"{"code":"NO_SUCH_CODE","message":"m","category":"request","retryable":1,"helpUrl":"/help/x","extra":true}"#
                        .utf8))
            let problems = contract.violations(of: bad, against: schema)
            #expect(problems.contains { $0.contains("/code") })
            #expect(problems.contains { $0.contains("/retryable") && $0.contains("boolean") })
            #expect(problems.contains { $0.contains("customerMessage is missing") })
            #expect(problems.contains { $0.contains("extra is not documented") })
        }
    }

    @Test("Every operation, on its success and its errors, answers as the document says")
    func responsesMatchDocument() async throws {
        let logger = Logger(label: "openapi-tests")
        let mail = CapturingMessageSender()
        try await WebhookReceiver.with { receiver in
            try await GatewayHarness.with(messageSender: mail) { gateway in
                let contract = try await Self.contract(gateway)
                var exercised: Set<Operation> = [Operation(method: "GET", path: "/openapi.yaml")]
                var problems: [String] = []

                func check(
                    _ method: HTTPMethod, _ template: String, _ path: String, json: [String: any Sendable]? = nil,
                    rawBody: String? = nil, headers: HTTPHeaders = [:], secret: String? = nil,
                    authenticated: Bool = true
                ) async throws -> APIResponse {
                    let response = try await gateway.send(
                        method, path, json: json, rawBody: rawBody, headers: headers, secret: secret,
                        authenticated: authenticated)
                    let operation = Operation(method: method.rawValue, path: template)
                    let status = Int(response.status.code)
                    let mediaType = response.headers.contentType.map { "\($0.type)/\($0.subType)" } ?? ""
                    let succeeded = status == 200 || status == 303 || status == 101
                    guard let documented = contract.response(for: operation, status: status) else {
                        problems.append("\(operation) answered \(status), which is not documented")
                        return response
                    }
                    guard let content = documented["content"]?.object, !content.isEmpty else {
                        // A redirect: documented without a body.
                        if response.raw.isEmpty, succeeded { exercised.insert(operation) }
                        if !response.raw.isEmpty { problems.append("\(operation) \(status) has an undocumented body") }
                        return response
                    }
                    guard content[mediaType] != nil else {
                        problems.append("\(operation) answered \(status) \(mediaType), which is not documented")
                        return response
                    }
                    guard let schema = content["application/json"]?["schema"], mediaType == "application/json" else {
                        // A page or an asset: documented as such; its content is checked by the page tests.
                        if succeeded { exercised.insert(operation) }
                        return response
                    }
                    let value = try JSONDecoder().decode(JSONValue.self, from: response.raw)
                    problems += contract.violations(of: value, against: schema).map { "\(operation) \(status) \($0)" }
                    if succeeded { exercised.insert(operation) }
                    return response
                }

                // Webhooks first, so the payments below produce events.
                let hook = try await check(
                    .POST, "/v1/webhooks", "v1/webhooks", json: ["url": receiver.url, "description": "주문 서버"])
                let webhookID = try #require(hook.body["webhookId"] as? String)
                _ = try await check(.POST, "/v1/webhooks", "v1/webhooks", json: ["url": "mailto:ops@shop.example"])
                _ = try await check(.GET, "/v1/webhooks", "v1/webhooks")
                _ = try await check(.GET, "/v1/webhooks/{webhookId}", "v1/webhooks/\(webhookID)")
                _ = try await check(.GET, "/v1/webhooks/{webhookId}", "v1/webhooks/\(UUID().uuidString)")

                // Payments: approved, held, refused by the rules, declined, unauthenticated, malformed.
                let keyIn = "/v1/payments/key-in"
                let sale = try await check(
                    .POST, keyIn, "v1/payments/key-in",
                    json: GatewayHarness.keyIn(
                        amount: 60_000, extra: ["cardInstallmentPlan": 3, "metadata": ["채널": "전화"]]),
                    headers: ["Idempotency-Key": "openapi-sale"])
                let saleKey = try #require(sale.body["paymentKey"] as? String)
                let orderID = try #require(sale.body["orderId"] as? String)
                _ = try await check(
                    .POST, keyIn, "v1/payments/key-in", json: GatewayHarness.keyIn(amount: 60_000),
                    headers: ["Idempotency-Key": "openapi-sale"])
                let held = try await check(
                    .POST, keyIn, "v1/payments/key-in", json: GatewayHarness.keyIn(extra: ["capture": false]))
                let heldKey = try #require(held.body["paymentKey"] as? String)
                _ = try await check(
                    .POST, keyIn, "v1/payments/key-in",
                    json: GatewayHarness.keyIn(
                        card: "4242424242424241", amount: 50, extra: ["cardExpirationMonth": "13"]))
                _ = try await check(
                    .POST, keyIn, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000000002"),
                    headers: ["Accept-Language": "en"])
                _ = try await check(
                    .POST, keyIn, "v1/payments/key-in", json: GatewayHarness.keyIn(), authenticated: false)
                _ = try await check(.POST, keyIn, "v1/payments/key-in", rawBody: "{not json")

                // Lookups.
                let page = try await check(.GET, "/v1/payments", "v1/payments?limit=1")
                let cursor = try #require(page.body["nextCursor"] as? String)
                _ = try await check(
                    .GET, "/v1/payments",
                    "v1/payments?limit=1&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
                )
                _ = try await check(.GET, "/v1/payments", "v1/payments?status=PAID")
                _ = try await check(.GET, "/v1/payments/{paymentKey}", "v1/payments/\(saleKey)")
                _ = try await check(.GET, "/v1/payments/{paymentKey}", "v1/payments/pay_missing")
                _ = try await check(.GET, "/v1/payments/orders/{orderId}", "v1/payments/orders/\(orderID)")

                // Capture, cancels.
                _ = try await check(.POST, "/v1/payments/{paymentKey}/capture", "v1/payments/\(heldKey)/capture")
                _ = try await check(.POST, "/v1/payments/{paymentKey}/capture", "v1/payments/\(heldKey)/capture")
                let cancel = "/v1/payments/{paymentKey}/cancel"
                _ = try await check(
                    .POST, cancel, "v1/payments/\(saleKey)/cancel",
                    json: ["cancelReason": "부분 반품", "cancelAmount": 10_000])
                _ = try await check(
                    .POST, cancel, "v1/payments/\(saleKey)/cancel",
                    json: ["cancelReason": "부분 반품", "cancelAmount": 10_000])
                _ = try await check(.POST, cancel, "v1/payments/\(saleKey)/cancel", json: ["cancelAmount": 10])

                // The webhooks those payments produced, and their log.
                try await gateway.services.deliverDueWebhooks(logger: logger)
                let eventSchema = try #require(contract.schema(named: "WebhookEvent"))
                #expect(receiver.received.count >= 4)
                for delivery in receiver.received {
                    let value = try JSONDecoder().decode(JSONValue.self, from: delivery.body)
                    problems += contract.violations(of: value, against: eventSchema).map { "webhook event \($0)" }
                }
                let log = try await check(
                    .GET, "/v1/webhooks/{webhookId}/deliveries", "v1/webhooks/\(webhookID)/deliveries?limit=100")
                let deliveryID = try #require(
                    (log.body["deliveries"] as? [[String: Any]])?.first?["deliveryId"] as? String)
                _ = try await check(
                    .GET, "/v1/webhooks/{webhookId}/deliveries", "v1/webhooks/\(webhookID)/deliveries?status=LOST")
                _ = try await check(
                    .POST, "/v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry",
                    "v1/webhooks/\(webhookID)/deliveries/\(deliveryID)/retry")
                _ = try await check(.DELETE, "/v1/webhooks/{webhookId}", "v1/webhooks/\(webhookID)")

                // Payment links, their hosted page, the receipt, help.
                let links = "/v1/payment-links"
                let created = try await check(
                    .POST, links, "v1/payment-links",
                    json: [
                        "amount": 55_000, "orderName": "맞춤 셔츠", "customerMobilePhone": "010-1234-5678",
                        "send": ["SMS"],
                    ])
                let linkID = try #require(created.body["paymentLinkId"] as? String)
                let linkURL = try #require(created.body["url"] as? String)
                let linkKey = String(try #require(linkURL.split(separator: "/").last))
                _ = try await check(.POST, links, "v1/payment-links", json: ["amount": 50, "orderName": "너무 적은 금액"])
                _ = try await check(.GET, links, "v1/payment-links")
                _ = try await check(.GET, "/v1/payment-links/{paymentLinkId}", "v1/payment-links/\(linkID)")
                _ = try await check(.GET, "/v1/payment-links/{paymentLinkId}", "v1/payment-links/\(UUID())")
                _ = try await check(
                    .POST, "/v1/payment-links/{paymentLinkId}/send", "v1/payment-links/\(linkID)/send",
                    json: ["channel": "KAKAOTALK"])
                _ = try await check(.GET, "/pay/{linkKey}", "pay/\(linkKey)", authenticated: false)
                _ = try await check(.GET, "/pay/{linkKey}", "pay/no-such-link", authenticated: false)
                let linkPaid = try await check(
                    .POST, "/pay/{linkKey}", "pay/\(linkKey)",
                    json: [
                        "cardNumber": "4242424242424242", "cardExpirationYear": "30", "cardExpirationMonth": "12",
                        "customerIdentityNumber": "900101", "cardPassword": "12", "cardCvc": "123",
                    ],
                    authenticated: false)
                let linkPaymentKey = try #require(linkPaid.body["paymentKey"] as? String)
                _ = try await check(
                    .POST, "/pay/{linkKey}", "pay/\(linkKey)",
                    json: ["cardNumber": "4242424242424242", "cardExpirationYear": "30", "cardExpirationMonth": "12"],
                    authenticated: false)
                let second = try await check(
                    .POST, links, "v1/payment-links", json: ["amount": 20_000, "orderName": "취소할 링크"])
                let secondID = try #require(second.body["paymentLinkId"] as? String)
                _ = try await check(
                    .POST, "/v1/payment-links/{paymentLinkId}/cancel", "v1/payment-links/\(secondID)/cancel")
                _ = try await check(.GET, "/receipts/{paymentKey}", "receipts/\(linkPaymentKey)", authenticated: false)
                _ = try await check(.GET, "/receipts/{paymentKey}", "receipts/pay_missing", authenticated: false)
                // Back from a challenge: an approved payment goes on to its receipt; an unknown one is a page.
                _ = try await check(
                    .GET, "/3ds/return/{paymentKey}", "3ds/return/\(linkPaymentKey)", authenticated: false)
                _ = try await check(.POST, "/3ds/return/{paymentKey}", "3ds/return/pay_missing", authenticated: false)
                _ = try await check(
                    .POST, "/3ds/return/{paymentKey}", "3ds/return/\(linkPaymentKey)", authenticated: false)
                _ = try await check(.GET, "/help", "help?q=CVC", authenticated: false)
                _ = try await check(.GET, "/help/{entry}", "help/invalid-card-number", authenticated: false)
                _ = try await check(.GET, "/assets/{file}", "assets/pay.js", authenticated: false)
                _ = try await check(.GET, "/assets/{file}", "assets/keyin.css", authenticated: false)
                _ = try await check(.GET, "/assets/{file}", "assets/nothing.js", authenticated: false)

                // The console, signed in as an owner of another shop.
                let shop = try await gateway.services.createMerchant(name: "콘솔", live: false)
                try await gateway.services.createStaff(
                    merchantID: shop.id, email: "owner@console.example", password: "console password", owner: true)
                let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
                _ = try await check(.GET, "/console/login", "console/login", authenticated: false)
                _ = try await check(.GET, "/console", "console", authenticated: false)
                let login = try await ConsoleSession.loginForm(gateway)
                var loginForm = form
                loginForm.add(name: "Cookie", value: login.cookie)
                let signedIn = try await check(
                    .POST, "/console/login", "console/login",
                    rawBody: "email=owner%40console.example&password=console%20password&_csrf=\(login.token)",
                    headers: loginForm, authenticated: false)
                let cookie = String(try #require(signedIn.headers.first(name: .setCookie)?.split(separator: ";").first))
                var session: HTTPHeaders = ["Cookie": cookie]
                let terminal = try await check(
                    .GET, "/console/terminal", "console/terminal", headers: session, authenticated: false)
                let csrf = String(
                    try #require(
                        String(decoding: terminal.raw, as: UTF8.self).firstMatch(of: /"csrfToken":"([0-9a-f]+)"/)?.1))
                for (template, path) in [
                    ("/console", "console"), ("/console/payments", "console/payments?status=DONE"),
                    ("/console/links", "console/links"), ("/console/webhooks", "console/webhooks"),
                    ("/console/keys", "console/keys"),
                ] {
                    _ = try await check(.GET, template, path, headers: session, authenticated: false)
                }
                session.add(name: "X-CSRF-Token", value: csrf)
                let phoneOrder = try await check(
                    .POST, "/console/terminal", "console/terminal",
                    json: [
                        "amount": 30_000, "orderName": "전화 주문", "orderId": "openapi-vt-1",
                        "cardNumber": "4242424242424242", "cardExpirationYear": "30", "cardExpirationMonth": "12",
                    ],
                    headers: session, authenticated: false)
                let phoneKey = try #require(phoneOrder.body["paymentKey"] as? String)
                _ = try await check(
                    .GET, "/console/payments/{paymentKey}", "console/payments/\(phoneKey)", headers: session,
                    authenticated: false)
                var formSession = form
                formSession.add(name: "Cookie", value: cookie)
                _ = try await check(
                    .POST, "/console/payments/{paymentKey}/cancel", "console/payments/\(phoneKey)/cancel",
                    rawBody: "_csrf=\(csrf)&cancelReason=%EB%B0%98%ED%92%88", headers: formSession, authenticated: false
                )
                _ = try await check(
                    .POST, "/console/links", "console/links",
                    rawBody: "_csrf=\(csrf)&amount=10000&orderName=link", headers: formSession, authenticated: false)
                let linksPage = try await gateway.send(.GET, "console/links", headers: session, authenticated: false)
                let consoleLinkID = String(
                    try #require(
                        String(decoding: linksPage.raw, as: UTF8.self).firstMatch(
                            of: /\/console\/links\/([0-9A-F-]{36})\/send/)?.1))
                _ = try await check(
                    .POST, "/console/links/{paymentLinkId}/send", "console/links/\(consoleLinkID)/send",
                    rawBody: "_csrf=\(csrf)&customerMobilePhone=010-1234-5678", headers: formSession,
                    authenticated: false)
                _ = try await check(
                    .POST, "/console/links/{paymentLinkId}/cancel", "console/links/\(consoleLinkID)/cancel",
                    rawBody: "_csrf=\(csrf)", headers: formSession, authenticated: false)
                // Support: the survey and an inquiry from the customer, the inbox, a reply, settings.
                _ = try await check(
                    .POST, "/feedback", "feedback", json: ["paymentKey": phoneKey, "rating": 4], authenticated: false)
                _ = try await check(
                    .POST, "/feedback", "feedback", json: ["paymentKey": phoneKey, "rating": 5], authenticated: false)
                _ = try await check(
                    .POST, "/inquiries", "inquiries",
                    json: ["paymentKey": phoneKey, "contact": "010-1234-5678", "message": "영수증을 다시 받을 수 있나요?"],
                    authenticated: false)
                _ = try await check(
                    .POST, "/inquiries", "inquiries", json: ["paymentKey": phoneKey, "message": "연락처 없음"],
                    authenticated: false)
                let inbox = try await check(
                    .GET, "/console/inquiries", "console/inquiries", headers: session, authenticated: false)
                let inquiryID = String(
                    try #require(
                        String(decoding: inbox.raw, as: UTF8.self).firstMatch(
                            of: /\/console\/inquiries\/([0-9A-F-]{36})/)?.1))
                _ = try await check(
                    .GET, "/console/inquiries/{inquiryId}", "console/inquiries/\(inquiryID)", headers: session,
                    authenticated: false)
                _ = try await check(
                    .POST, "/console/inquiries/{inquiryId}/reply", "console/inquiries/\(inquiryID)/reply",
                    rawBody: "_csrf=\(csrf)&body=%EB%84%A4", headers: formSession, authenticated: false)
                _ = try await check(
                    .GET, "/console/feedback", "console/feedback", headers: session, authenticated: false)
                _ = try await check(
                    .GET, "/console/alerts", "console/alerts", headers: session, authenticated: false)
                _ = try await check(.GET, "/console/chat", "console/chat", headers: session, authenticated: false)
                _ = try await check(.GET, "/console/staff", "console/staff", headers: session, authenticated: false)
                _ = try await check(
                    .POST, "/console/staff", "console/staff",
                    rawBody: "_csrf=\(csrf)&email=new%40console.example&password=new%20password%201&role=staff",
                    headers: formSession, authenticated: false)
                let staffPage = try await gateway.send(
                    .GET, "console/staff", headers: session, authenticated: false)
                let staffID = String(
                    try #require(
                        String(decoding: staffPage.raw, as: UTF8.self).firstMatch(
                            of: /\/console\/staff\/([0-9A-F-]{36})\/remove/)?.1))
                _ = try await check(
                    .POST, "/console/staff/{staffId}/remove", "console/staff/\(staffID)/remove",
                    rawBody: "_csrf=\(csrf)", headers: formSession, authenticated: false)
                _ = try await check(
                    .POST, "/console/webhooks", "console/webhooks",
                    rawBody: "_csrf=\(csrf)&url=https%3A%2F%2Fshop.example%2Fhook&events%5B%5D=PAYMENT_STATUS_CHANGED",
                    headers: formSession, authenticated: false)
                _ = try await check(
                    .POST, "/console/webhooks", "console/webhooks", rawBody: "_csrf=\(csrf)&url=nowhere",
                    headers: formSession, authenticated: false)
                let consoleWebhookID = String(
                    try #require(
                        String(
                            decoding: try await gateway.send(
                                .GET, "console/webhooks", headers: session, authenticated: false
                            ).raw, as: UTF8.self
                        )
                        .firstMatch(of: /\/console\/webhooks\/([0-9A-F-]{36})\/remove/)?.1))
                _ = try await check(
                    .POST, "/console/webhooks/{webhookId}/deliveries/{deliveryId}/retry",
                    "console/webhooks/\(consoleWebhookID)/deliveries/\(UUID())/retry", rawBody: "_csrf=\(csrf)",
                    headers: formSession, authenticated: false)
                _ = try await check(
                    .POST, "/console/webhooks/{webhookId}/remove", "console/webhooks/\(consoleWebhookID)/remove",
                    rawBody: "_csrf=\(csrf)", headers: formSession, authenticated: false)
                // The chat sockets: a plain GET (426), another site's handshake (403), this site's page's (101).
                var handshake: HTTPHeaders = [
                    "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Host": "127.0.0.1:8080",
                ]
                var foreign = handshake
                foreign.add(name: .origin, value: "https://evil.example")
                handshake.add(name: .origin, value: "http://127.0.0.1:8080")
                var staffHandshake = handshake
                for (name, value) in session { staffHandshake.replaceOrAdd(name: name, value: value) }
                for headers in [session, staffHandshake] {
                    _ = try await check(
                        .GET, "/console/chat/ws", "console/chat/ws", headers: headers, authenticated: false)
                }
                for headers in [[:], foreign, handshake] {
                    _ = try await check(
                        .GET, "/pay/{linkKey}/chat", "pay/\(linkKey)/chat", headers: headers, authenticated: false)
                }
                _ = try await check(
                    .GET, "/console/settings", "console/settings", headers: session, authenticated: false)
                _ = try await check(
                    .POST, "/console/settings", "console/settings",
                    rawBody: "_csrf=\(csrf)&supportPhone=02-123-4567&supportHours=weekdays", headers: formSession,
                    authenticated: false)
                _ = try await check(
                    .GET, "/console/password", "console/password", headers: session, authenticated: false)
                _ = try await check(
                    .POST, "/console/password", "console/password",
                    rawBody: "_csrf=\(csrf)&currentPassword=wrong&newPassword=x&confirmPassword=x",
                    headers: formSession, authenticated: false)
                _ = try await check(
                    .POST, "/console/mode", "console/mode", rawBody: "_csrf=\(csrf)&mode=test", headers: formSession,
                    authenticated: false)
                _ = try await check(
                    .POST, "/console/mode", "console/mode", rawBody: "_csrf=\(csrf)&mode=sandbox",
                    headers: formSession, authenticated: false)
                _ = try await check(
                    .POST, "/console/logout", "console/logout", rawBody: "_csrf=\(csrf)", headers: formSession,
                    authenticated: false)
                _ = try await check(.GET, "/console/forgot", "console/forgot", authenticated: false)
                _ = try await check(
                    .POST, "/console/forgot", "console/forgot", rawBody: "email=owner%40console.example",
                    headers: form, authenticated: false)
                let missingReset = "console/reset/" + String(repeating: "0", count: 64)
                _ = try await check(.GET, "/console/reset/{token}", missingReset, authenticated: false)
                _ = try await check(
                    .POST, "/console/reset/{token}", missingReset,
                    rawBody: "newPassword=long%20enough%201&confirmPassword=long%20enough%201", headers: form,
                    authenticated: false)
                _ = try await gateway.services.sendPendingMessages(logger: gateway.app.logger)
                let resetLink = try #require(
                    mail.sent.last { $0.recipient == "owner@console.example" }?.body.firstMatch(
                        of: /\/console\/reset\/[0-9a-f]{64}/)?.0)
                let reset = String(resetLink.dropFirst())
                _ = try await check(.GET, "/console/reset/{token}", reset, authenticated: false)
                _ = try await check(
                    .POST, "/console/reset/{token}", reset, rawBody: "newPassword=short&confirmPassword=short",
                    headers: form, authenticated: false)
                _ = try await check(
                    .POST, "/console/reset/{token}", reset,
                    rawBody: "newPassword=console%20password&confirmPassword=console%20password", headers: form,
                    authenticated: false)

                // A route that does not exist still answers with a catalog error.
                let missing = try await gateway.send(.GET, "v1/refunds")
                let errorSchema = try #require(contract.schema(named: "Error"))
                problems += contract.violations(
                    of: try JSONDecoder().decode(JSONValue.self, from: missing.raw), against: errorSchema)
                #expect(missing.body["code"] as? String == "NOT_FOUND_ROUTE")

                #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
                #expect(
                    contract.operations.subtracting(exercised).isEmpty,
                    "never answered 200 here: \(contract.operations.subtracting(exercised))")
            }
        }
    }
}
