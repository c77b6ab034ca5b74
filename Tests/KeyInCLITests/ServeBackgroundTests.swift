import Foundation
import Testing
import Vapor

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension ServeCrashTests {
    @Test("A running keyin serve delivers webhooks on its own, serves /openapi.yaml, and rotates merchant keys")
    func servedWebhooksAndKeys() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-hooks-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }

        // The merchant's endpoint: every body it receives arrives on a stream.
        let (bodies, arrived) = AsyncStream.makeStream(of: Data.self)
        let receiver = try await Application.make(.testing)
        receiver.on(.POST, "hook", body: .collect(maxSize: "1mb")) { request -> HTTPStatus in
            arrived.yield(Data(buffer: request.body.data ?? .init()))
            return .ok
        }
        try await receiver.server.start(address: .hostname("127.0.0.1", port: 0))
        let receiverPort = try #require(receiver.http.server.shared.localAddress?.port)

        // The receiver is on this machine: internal addresses are allowed only when a deployment says so.
        let (server, output, errors) = try await launch(
            ["serve", "--data-dir", dataDirectory.path, "--port", "0"],
            environment: ["KEYIN_WEBHOOK_INTERNAL_TARGETS": "allow", "KEYIN_WEBHOOK_PORTS": "any"])
        let banner = try #require(
            await read(output, until: /(test_sk_[A-Za-z0-9]+)/),
            "\((try? String(contentsOf: errors, encoding: .utf8)) ?? "")"
        )
        let key = String(try #require(banner.firstMatch(of: /(test_sk_[A-Za-z0-9]+)/)?.1))
        let httpPort = try #require(listeningPort(banner))
        let base = "http://127.0.0.1:\(httpPort)"

        let (document, _) = try await URLSession.shared.data(from: URL(string: "\(base)/openapi.yaml")!)
        #expect(String(decoding: document, as: UTF8.self).hasPrefix("openapi: 3.1"))

        let hook = try await Self.request(
            "POST", "\(base)/v1/webhooks", key: key, body: #"{"url":"http://127.0.0.1:\#(receiverPort)/hook"}"#)
        #expect(hook["secret"] is String)
        let paid = try await Self.request(
            "POST", "\(base)/v1/payments/key-in", key: key,
            body:
                #"{"amount":12000,"orderId":"hook-order-1","orderName":"웹훅","cardNumber":"4242424242424242","cardExpirationYear":"30","cardExpirationMonth":"12"}"#
        )
        let paymentKey = try #require(paid["paymentKey"] as? String)
        // No test code sends it: the server's own background loop does.
        var delivered: [String: Any] = [:]
        for await body in bodies {
            delivered = (try JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
            break
        }
        #expect((delivered["data"] as? [String: Any])?["paymentKey"] as? String == paymentKey)
        server.interrupt()
        #expect(try await server.waitUntilExit() == 0)
        await receiver.server.shutdown()
        try await receiver.asyncShutdown()

        // Key rotation on the same data directory, with the server stopped.
        let created = try await ExecutableTests().run(
            ["merchant", "create", "--name", "교체 상점", "--json", "--data-dir", dataDirectory.path])
        let merchant = try #require(
            try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: Any])
        let merchantID = try #require(merchant["merchantId"] as? String)
        let rotated = try await ExecutableTests().run(
            ["merchant", "keys", "rotate", "--merchant", merchantID, "--json", "--data-dir", dataDirectory.path])
        #expect(rotated.status == 0, "\(rotated.output)")
        let rotation = try #require(try JSONSerialization.jsonObject(with: Data(rotated.output.utf8)) as? [String: Any])
        let newKey = try #require(rotation["secretKey"] as? String)
        #expect(newKey.hasPrefix("test_sk_") && newKey != merchant["secretKey"] as? String)
        let unknown = try await ExecutableTests().run(
            ["merchant", "keys", "rotate", "--merchant", UUID().uuidString, "--data-dir", dataDirectory.path])
        #expect(unknown.status != 0 && unknown.output.contains("no merchant"))
    }
}

extension ServeCrashTests {
    @Test("Even at trace level, nothing keyin serve logs holds a card number, CVC, card password or identity number")
    func logsHoldNoCardData() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-logs-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let (server, output, errors) = try await launch(
            ["serve", "--data-dir", dataDirectory.path, "--port", "0"], environment: ["KEYIN_LOG_LEVEL": "trace"])
        let banner = try #require(
            await read(output, until: /(test_sk_[A-Za-z0-9]+)/),
            "\((try? String(contentsOf: errors, encoding: .utf8))?.suffix(2000) ?? "")")
        let key = String(try #require(banner.firstMatch(of: /(test_sk_[A-Za-z0-9]+)/)?.1))
        let httpPort = try #require(listeningPort(banner))
        let base = "http://127.0.0.1:\(httpPort)/v1/payments"

        func keyIn(_ card: String, identity: String, order: String) -> String {
            #"{"amount":30000,"orderId":"\#(order)","orderName":"로그 점검","cardNumber":"\#(card)","cardExpirationYear":"30","cardExpirationMonth":"12","cardCvc":"737","cardPassword":"12","customerIdentityNumber":"\#(identity)"}"#
        }
        let sale = try await Self.request(
            "POST", "\(base)/key-in", key: key,
            body: keyIn("5555 5555 5555 4444", identity: "900101", order: "log-order-1"))
        #expect(sale["status"] as? String == "DONE", "\(sale)")
        let paymentKey = try #require(sale["paymentKey"] as? String)
        let mismatch = try await Self.request(
            "POST", "\(base)/key-in", key: key,
            body: keyIn("4000000000000564", identity: "850315", order: "log-order-2"))
        #expect(mismatch["code"] as? String == "INVALID_CARD_IDENTITY")
        let typo = try await Self.request(
            "POST", "\(base)/key-in", key: key,
            body: keyIn("4242424242424241", identity: "900101", order: "log-order-3"))
        #expect(typo["code"] as? String == "INVALID_CARD_NUMBER")
        let corporate = try await Self.request(
            "POST", "\(base)/key-in", key: key,
            body: keyIn("4242424242424242", identity: "1248100998", order: "log-order-4"))
        #expect(corporate["status"] as? String == "DONE")
        let cancel = try await Self.request(
            "POST", "\(base)/\(paymentKey)/cancel", key: key, body: #"{"cancelReason":"부분 반품","cancelAmount":1000}"#)
        #expect(cancel["status"] as? String == "PARTIAL_CANCELED")
        server.interrupt()
        try await server.waitUntilExit()

        var logged = String(decoding: try Data(contentsOf: errors), as: UTF8.self)
        logged += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // Trace logging really was on (so the search below means something): the SQL was logged. (The request
        // decoder's lines, which show each request's head and body, are kept out: see LogLeakTests.)
        #expect(logged.contains(" trace "))
        #expect(logged.localizedCaseInsensitiveContains("insert into"))
        for secret in [
            "5555555555554444", "4000000000000564", "4242424242424241", "4242424242424242", "1248100998", "900101",
            "850315", "737",
        ] {
            // Whole tokens only: "737" inside a UUID, a port or a longer number is not a CVC.
            let pattern = try Regex("(^|[^0-9A-Za-z])\(secret)($|[^0-9A-Za-z])")
            let hits = logged.matches(of: pattern).map { match in
                let start =
                    logged.index(match.range.lowerBound, offsetBy: -60, limitedBy: logged.startIndex)
                    ?? logged.startIndex
                return String(logged[start..<match.range.upperBound])
            }
            #expect(hits.isEmpty, "the logs hold \(secret): \(hits.prefix(3))")
        }
        #expect(!logged.contains("5555 5555 5555 4444"))
        #expect(!logged.contains(#""cardCvc":"#) && !logged.contains(#""cardPassword":"#))
    }
}

extension ServeCrashTests {
    @Test(
        "keyin merchant staff add and password: sign-ins that work; duplicates, short passwords, unknown shops refused"
    )
    func staffAccounts() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-staff-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let data = ["--data-dir", dataDirectory.path]
        // Standard output only holds the JSON; the first run's migration logs (standard error) are kept quiet here,
        // where both streams are read together.
        let quiet = ["KEYIN_LOG_LEVEL": "error"]
        let created = try await ExecutableTests().run(
            ["merchant", "create", "--name", "직원 상점", "--json"] + data, environment: quiet)
        let merchant = try #require(try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: Any])
        let merchantID = try #require(merchant["merchantId"] as? String)
        let added = try await ExecutableTests().run(
            ["merchant", "staff", "add", "--merchant", merchantID, "--email", "clerk@shop.example", "--json"] + data,
            environment: quiet)
        #expect(added.status == 0, "\(added.output)")
        let account = try #require(try JSONSerialization.jsonObject(with: Data(added.output.utf8)) as? [String: Any])
        let password = try #require(account["password"] as? String)
        #expect(account["role"] as? String == "staff" && password.count >= 10)
        let again = try await ExecutableTests().run(
            ["merchant", "staff", "add", "--merchant", merchantID, "--email", "clerk@shop.example"] + data,
            environment: quiet)
        #expect(again.status != 0 && again.output.contains("INVALID_REQUEST"))
        let short = try await ExecutableTests().run(
            ["merchant", "staff", "add", "--merchant", merchantID, "--email", "b@shop.example", "--password-stdin"]
                + data,
            stdin: "short\n", environment: quiet)
        #expect(short.status != 0 && short.output.contains("at least 10"))
        let unknown = try await ExecutableTests().run(
            ["merchant", "staff", "add", "--merchant", UUID().uuidString, "--email", "c@shop.example"] + data,
            environment: quiet)
        #expect(unknown.status != 0 && unknown.output.contains("no merchant"))

        // An operator sets a new password for a member who cannot use the e-mailed reset; the old one stops working.
        let reset = try await ExecutableTests().run(
            ["merchant", "staff", "password", "--email", "clerk@shop.example", "--password-stdin", "--json"] + data,
            stdin: "operator set password\n", environment: quiet)
        #expect(reset.status == 0, "\(reset.output)")
        let nobody = try await ExecutableTests().run(
            ["merchant", "staff", "password", "--email", "nobody@shop.example"] + data, environment: quiet)
        #expect(nobody.status != 0 && nobody.output.contains("no console sign-in"))

        // The new sign-in opens the console of a running gateway.
        let (server, output, _) = try await launch(["serve", "--port", "0"] + data)
        defer { server.interrupt() }
        let port = try #require(listeningPort(await read(output, until: ServeCrashTests.listening)))
        let login = try await consoleLoginForm("http://127.0.0.1:\(port)")
        var signIn = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/console/login")!)
        signIn.httpMethod = "POST"
        signIn.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        signIn.setValue(login.cookie, forHTTPHeaderField: "Cookie")
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        signIn.httpBody = Data("email=clerk%40shop.example&password=\(password)&_csrf=\(login.token)".utf8)
        let old = try await session.data(for: signIn).1 as? HTTPURLResponse
        #expect(old?.statusCode == 401)
        signIn.httpBody = Data(
            "email=clerk%40shop.example&password=operator%20set%20password&_csrf=\(login.token)".utf8)
        let response = try await session.data(for: signIn).1 as? HTTPURLResponse
        #expect(response?.statusCode == 303 && response?.value(forHTTPHeaderField: "Location") == "/console")
    }
}
