import Foundation
import IssuerSimulator
import KeyInGateway
import Testing
import Vapor
import VaporTesting

/// A merchant switching from Toss Payments changes the base URL and the key, nothing else: the Payment it reads
/// back has Toss's fields with Toss's meaning, through a sale, a partial cancel, a full cancel and a decline.
@Suite("Switching from Toss Payments: the Payment, field by field", .timeLimit(.minutes(2)))
struct TossCompatibilityTests {
    /// The answer as JSON, kinds kept (an integer stays an integer).
    static func json(_ response: APIResponse) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: response.raw)
    }

    static func number(_ value: JSONValue?) -> Int64? {
        if case .integer(let number)? = value { return number }
        return nil
    }

    static func bool(_ value: JSONValue?) -> Bool? {
        if case .bool(let flag)? = value { return flag }
        return nil
    }

    static var transactionKey: Regex<Substring> { /[0-9A-F]{32}/ }

    @Test("A sale, a partial and a full cancel read as Toss's Payment: taxes on the balance, a key per transaction")
    func saleAndCancels() async throws {
        try await GatewayHarness.with { gateway in
            let merchant = try await gateway.services.createMerchant(name: "토스에서 온 상점", live: false)
            // 60,000원 in 3 months, interest paid by the shop, 10,000원 of it tax-free (a book with the stationery).
            let body = GatewayHarness.keyIn(
                card: "5105105105105100", amount: 60_000,
                extra: ["cardInstallmentPlan": 3, "useFreeInstallmentPlan": true, "taxFreeAmount": 10_000])
            let sale = try await gateway.send(.POST, "v1/payments/key-in", json: body, secret: merchant.secretKey)
            #expect(sale.status == .ok)
            let paid = try Self.json(sale)
            #expect(TossPaymentContract.violations(of: paid) == [])
            #expect(paid["version"]?.string == "2022-11-16" && paid["type"]?.string == "NORMAL")
            #expect(paid["mId"]?.string == merchant.id.uuidString.lowercased())
            #expect(paid["status"]?.string == "DONE" && paid["method"]?.string == "카드")
            #expect(paid["country"]?.string == "KR" && Self.bool(paid["useEscrow"]) == false)
            // (60,000 − 10,000) / 11 = 4,545.45… → 4,545 VAT; the taxable rest is the supplied amount.
            #expect(Self.number(paid["vat"]) == 4_545 && Self.number(paid["suppliedAmount"]) == 45_455)
            #expect(Self.number(paid["taxFreeAmount"]) == 10_000 && Self.number(paid["taxExemptionAmount"]) == 0)
            #expect(Self.bool(paid["isPartialCancelable"]) == true)
            let approvalKey = try #require(paid["lastTransactionKey"]?.string)
            #expect(approvalKey.wholeMatch(of: Self.transactionKey) != nil)
            let paymentKey = try #require(paid["paymentKey"]?.string)
            #expect(paid["receipt"]?["url"]?.string == gateway.services.publicBaseURL + "/receipts/" + paymentKey)
            #expect(paid["checkout"] == .null)
            for absent in ["virtualAccount", "transfer", "mobilePhone", "giftCertificate", "easyPay", "secret"] {
                #expect(paid[absent] == .null, "\(absent)")
            }
            let card = try #require(paid["card"])
            #expect(Self.number(card["amount"]) == 60_000)
            // 510510 is NH농협's corporate credit card in the bundled BIN table.
            #expect(card["issuerCode"]?.string == "91" && card["acquirerCode"]?.string == "91")
            #expect(card["cardType"]?.string == "신용" && card["ownerType"]?.string == "법인")
            #expect(card["acquireStatus"]?.string == "READY" && Self.bool(card["useCardPoint"]) == false)
            #expect(Self.number(card["installmentPlanMonths"]) == 3)
            #expect(Self.bool(card["isInterestFree"]) == true && card["interestPayer"]?.string == "MERCHANT")
            #expect(card["number"]?.string == "510510******5100")
            #expect(card["approveNo"]?.string?.count == 6)
            // The card company was told the shop pays the interest.
            let sent = await gateway.engine.entries().last
            #expect(sent?.installmentMonths == 3 && sent?.merchantPaysInterest == true)

            // The same Payment by key and by order id.
            let byKey = try Self.json(
                try await gateway.send(.GET, "v1/payments/\(paymentKey)", secret: merchant.secretKey))
            let orderID = try #require(paid["orderId"]?.string)
            let byOrder = try Self.json(
                try await gateway.send(.GET, "v1/payments/orders/\(orderID)", secret: merchant.secretKey))
            #expect(byKey == paid && byOrder == paid)

            // A partial cancel of 20,000원, 5,000원 of it tax-free: the taxes are those of the 40,000원 left.
            let partial = try await gateway.send(
                .POST, "v1/payments/\(paymentKey)/cancel",
                json: ["cancelReason": "책 한 권 반품", "cancelAmount": 20_000, "taxFreeAmount": 5_000],
                secret: merchant.secretKey)
            #expect(partial.status == .ok)
            let afterPartial = try Self.json(partial)
            #expect(TossPaymentContract.violations(of: afterPartial) == [])
            #expect(afterPartial["status"]?.string == "PARTIAL_CANCELED")
            #expect(Self.number(afterPartial["balanceAmount"]) == 40_000)
            #expect(Self.number(afterPartial["taxFreeAmount"]) == 5_000)
            // (40,000 − 5,000) / 11 = 3,181.8… → 3,182.
            #expect(Self.number(afterPartial["vat"]) == 3_182 && Self.number(afterPartial["suppliedAmount"]) == 31_818)
            let first = try #require(afterPartial["cancels"]?.array?.first)
            #expect(Self.number(first["cancelAmount"]) == 20_000 && Self.number(first["refundableAmount"]) == 40_000)
            #expect(Self.number(first["taxFreeAmount"]) == 5_000 && first["cancelStatus"]?.string == "DONE")
            #expect(first["cancelReason"]?.string == "책 한 권 반품" && first["receiptKey"] == .null)
            let cancelKey = try #require(first["transactionKey"]?.string)
            #expect(cancelKey.wholeMatch(of: Self.transactionKey) != nil && cancelKey != approvalKey)
            #expect(afterPartial["lastTransactionKey"]?.string == cancelKey)

            // The rest, cancelled without naming its tax-free part: all that is left tax-free goes with it.
            gateway.wallClock.advance(seconds: 2)
            let full = try await gateway.send(
                .POST, "v1/payments/\(paymentKey)/cancel", json: ["cancelReason": "전체 반품"],
                secret: merchant.secretKey)
            #expect(full.status == .ok)
            let canceled = try Self.json(full)
            #expect(TossPaymentContract.violations(of: canceled) == [])
            // Still a payment that could be cancelled in part (Toss's meaning: what the method allows).
            #expect(canceled["status"]?.string == "CANCELED" && Self.bool(canceled["isPartialCancelable"]) == true)
            for amount in ["balanceAmount", "vat", "suppliedAmount", "taxFreeAmount"] {
                #expect(Self.number(canceled[amount]) == 0, "\(amount)")
            }
            #expect(Self.number(canceled["totalAmount"]) == 60_000)
            let cancels = try #require(canceled["cancels"]?.array)
            #expect(cancels.count == 2)
            #expect(Self.number(cancels.last?["refundableAmount"]) == 0)
            #expect(Self.number(cancels.last?["taxFreeAmount"]) == 5_000)
            #expect(canceled["lastTransactionKey"] == cancels.last?["transactionKey"])
            #expect(Set(cancels.compactMap { $0["transactionKey"]?.string }).count == 2)
        }
    }

    @Test("The contract finds a missing field, a kind Toss does not write and a value Toss does not have")
    func contractCatchesDrift() throws {
        let example = try JSONDecoder().decode(
            JSONValue.self,
            from: Data(
                #"""
                {"version":"2022-11-16","paymentKey":"k","type":"NORMAL","orderId":"o","orderName":"n","mId":"m",
                "currency":"KRW","method":"카드","totalAmount":"15000","balanceAmount":15000,"status":"DONE",
                "requestedAt":"2026-12-01T10:00:00+09:00","approvedAt":"2026-12-01T10:00:01Z","useEscrow":false,
                "lastTransactionKey":null,"suppliedAmount":13636,"vat":1364,"cultureExpense":false,"taxFreeAmount":0,
                "taxExemptionAmount":0,"cancels":null,"isPartialCancelable":true,"virtualAccount":null,
                "mobilePhone":null,"giftCertificate":null,"transfer":null,"metadata":null,"receipt":{},
                "checkout":null,"easyPay":null,"country":"KR","failure":null,"cashReceipt":null,"cashReceipts":null,
                "discount":null,"secret":null,
                "card":{"amount":15000,"issuerCode":"61","acquirerCode":"31","number":"1234","installmentPlanMonths":0,
                "approveNo":"00000000","useCardPoint":false,"cardType":"충전","ownerType":"개인",
                "acquireStatus":"READY","isInterestFree":false}}
                """#.utf8))
        let problems = TossPaymentContract.violations(of: example)
        #expect(problems.contains { $0.hasPrefix("totalAmount: string") })
        #expect(problems.contains("card.interestPayer is missing"))
        #expect(problems.contains { $0.hasPrefix("card.cardType: 충전") })
        #expect(problems.contains { $0.hasPrefix("approvedAt:") })
        #expect(problems.contains("receipt.url is missing"))
        #expect(problems.count == 5, "\(problems)")
    }

    @Test("A declined payment: Toss's error answer, and a Payment ABORTED with its failure")
    func decline() async throws {
        try await GatewayHarness.with { gateway in
            let declined = try await gateway.send(
                .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000000000000002"))
            // Toss's shape and code; the status is the catalog's (402 for a decline; Toss answers 403).
            #expect(declined.status == .paymentRequired)
            #expect(declined.body["code"] as? String == "REJECT_CARD_COMPANY")
            #expect((declined.body["message"] as? String)?.isEmpty == false)
            let key = try #require(declined.body["paymentKey"] as? String)
            let payment = try Self.json(try await gateway.send(.GET, "v1/payments/\(key)"))
            #expect(TossPaymentContract.violations(of: payment) == [])
            #expect(payment["status"]?.string == "ABORTED" && payment["approvedAt"] == .null)
            #expect(payment["failure"]?["code"]?.string == "REJECT_CARD_COMPANY")
            #expect(payment["receipt"] == .null && payment["card"]?["approveNo"] == .null)
            // 400000 is BC카드's personal credit card in the bundled table.
            #expect(payment["card"]?["issuerCode"]?.string == "31")
        }
    }

    @Test("A card from abroad is named by its brand's code, its kind and owner 미확인, as Toss answers")
    func cardFromAbroad() async throws {
        try await GatewayHarness.with { gateway in
            // A Visa number no Korean company in the table issued.
            let paid = try Self.json(
                try await gateway.send(
                    .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(card: "4000056655665556")))
            #expect(TossPaymentContract.violations(of: paid) == [])
            #expect(paid["card"]?["issuerCode"]?.string == "4V" && paid["card"]?["acquirerCode"] == .null)
            #expect(paid["card"]?["cardType"]?.string == "미확인" && paid["card"]?["ownerType"]?.string == "미확인")
            #expect(paid["card"]?["interestPayer"] == .null && Self.bool(paid["card"]?["isInterestFree"]) == false)
        }
    }

    @Test("A 3-D Secure result passed as vbv reaches the card company, which declines a value it never issued")
    func authenticationResult() async throws {
        try await GatewayHarness.with { gateway in
            let card = "4242424242424242"
            let xid = "MDAwMDAwMDAwMDAwMDAwMzIyNzY="
            let issued = gateway.engine.configuration.authenticationValue(
                cardNumber: card, transactionID: xid, eci: "05", amount: 15_000, currencyCode: "410")
            let approved = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(card: card, extra: ["vbv": ["cavv": issued, "xid": xid, "eci": "05"]]))
            #expect(approved.status == .ok && approved.body["status"] as? String == "DONE")
            // The value went in element 48 (tags 05, 06, 09); the card company takes it once only.
            let replayed = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(card: card, extra: ["vbv": ["cavv": issued, "xid": xid, "eci": "05"]]))
            #expect(replayed.body["code"] as? String == "CARDHOLDER_AUTHENTICATION_REJECTED")
            let forged = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(
                    card: card, extra: ["vbv": ["cavv": "AAABBBCCCDDDEEEFFFGGGHHHIII=", "xid": xid, "eci": "05"]]))
            #expect(forged.status == .forbidden)
            #expect(forged.body["code"] as? String == "CARDHOLDER_AUTHENTICATION_REJECTED")
            // A value made for another transaction, or for another amount, does not fit this one.
            let other = gateway.engine.configuration.authenticationValue(
                cardNumber: card, transactionID: "T2", eci: "05", amount: 15_000, currencyCode: "410")
            let misplaced = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(card: card, extra: ["vbv": ["cavv": other, "xid": xid, "eci": "05"]]))
            #expect(misplaced.body["code"] as? String == "CARDHOLDER_AUTHENTICATION_REJECTED")
            let small = gateway.engine.configuration.authenticationValue(
                cardNumber: card, transactionID: "T3", eci: "05", amount: 1_000, currencyCode: "410")
            let enlarged = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(
                    card: card, amount: 900_000, extra: ["vbv": ["cavv": small, "xid": "T3", "eci": "05"]]))
            #expect(enlarged.body["code"] as? String == "CARDHOLDER_AUTHENTICATION_REJECTED")
            let malformed = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(card: card, extra: ["vbv": ["cavv": issued, "eci": "5"]]))
            #expect(malformed.status == .badRequest && malformed.body["param"] as? String == "vbv.eci")
        }
    }

    @Test("Tax-free parts that cannot be are refused with the field named, and nothing is charged or cancelled")
    func taxFreeLimits() async throws {
        try await GatewayHarness.with { gateway in
            let tooMuch = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(amount: 10_000, extra: ["taxFreeAmount": 10_001]))
            #expect(tooMuch.status == .badRequest && tooMuch.body["param"] as? String == "taxFreeAmount")
            #expect(await gateway.engine.entries().isEmpty)
            let paid = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(amount: 30_000, extra: ["taxFreeAmount": 20_000]))
            let key = try #require(paid.body["paymentKey"] as? String)
            // Cancelling 15,000원 of taxable goods would leave 20,000원 tax-free in a 15,000원 balance.
            let impossible = try await gateway.send(
                .POST, "v1/payments/\(key)/cancel",
                json: ["cancelReason": "반품", "cancelAmount": 15_000, "taxFreeAmount": 0])
            #expect(impossible.status == .badRequest && impossible.body["param"] as? String == "taxFreeAmount")
            let more = try await gateway.send(
                .POST, "v1/payments/\(key)/cancel",
                json: ["cancelReason": "반품", "cancelAmount": 5_000, "taxFreeAmount": 6_000])
            #expect(more.body["param"] as? String == "taxFreeAmount")
            let unchanged = try await gateway.send(.GET, "v1/payments/\(key)")
            #expect(unchanged.body["balanceAmount"] as? Int == 30_000 && unchanged.body["status"] as? String == "DONE")
            // Left out, the tax-free part is the least the balance left allows: 5,000원 of this 15,000원 cancel.
            let least = try await gateway.send(
                .POST, "v1/payments/\(key)/cancel", json: ["cancelReason": "반품", "cancelAmount": 15_000])
            #expect(least.status == .ok)
            let cancels = try #require(least.body["cancels"] as? [[String: Any]])
            #expect(cancels.first?["taxFreeAmount"] as? Int == 5_000)
            #expect(least.body["taxFreeAmount"] as? Int == 15_000 && least.body["vat"] as? Int == 0)
        }
    }

    @Test("A caller cannot name the payment page a payment was made on: checkout.url is KeyIn's to record")
    func checkoutIsKeyIns() async throws {
        try await GatewayHarness.with { gateway in
            let forged = try await gateway.send(
                .POST, "v1/payments/key-in",
                json: GatewayHarness.keyIn(extra: ["metadata": ["paymentLink": "../../evil.example/x"]]))
            #expect(forged.status == .badRequest && forged.body["param"] as? String == "metadata")
            #expect(await gateway.engine.entries().isEmpty)
        }
    }

    @Test("An authorization not yet captured cannot be cancelled in part, and says so")
    func authorizationIsWhole() async throws {
        try await GatewayHarness.with { gateway in
            let held = try Self.json(
                try await gateway.send(
                    .POST, "v1/payments/key-in", json: GatewayHarness.keyIn(extra: ["capture": false])))
            #expect(held["status"]?.string == "WAITING_FOR_CAPTURE")
            #expect(Self.bool(held["isPartialCancelable"]) == false)
        }
    }
}
