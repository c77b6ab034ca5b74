import ChildProcesses
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The built `keyin` binary, run as a merchant would run it: exit statuses are part of its contract.
@Suite("The keyin executable")
struct ExecutableTests {
    /// `swift build --build-tests` and `swift test` put the executable beside the test bundle.
    static var binary: URL {
        get throws {
            var directory = Bundle.main.bundleURL
            while directory.path != "/" {
                let candidate = directory.appendingPathComponent("keyin")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory.deleteLastPathComponent()
            }
            throw CocoaError(.fileNoSuchFile)
        }
    }

    /// Runs `keyin` to its end and returns its exit status and output (standard output and error together).
    func run(
        _ arguments: [String], stdin: String = "", environment: [String: String] = [:]
    ) async throws -> (status: Int32, output: String) {
        try await ChildProcess.run(
            try Self.binary, arguments: arguments, environment: environment, standardInput: stdin)
    }

    @Test("Exit status 0 for a valid card, 1 for an invalid one")
    func exitStatus() async throws {
        #expect(try await run(["card", "check", "4242424242424242"]).status == 0)
        let invalid = try await run(["card", "check", "4242424242424241"])
        #expect(invalid.status == 1)
        #expect(invalid.output.contains("INVALID_CARD_NUMBER"))
    }

    @Test("Reads a list from standard input")
    func standardInput() async throws {
        let result = try await run(["card", "check", "-"], stdin: "4242424242424242\n5555555555554444\n")
        #expect(result.status == 0)
        #expect(result.output.split(separator: "\n").count == 2)
        #expect(!result.output.contains("4242424242424242"))
    }

    @Test("A usage mistake is reported, not a crash")
    func usageError() async throws {
        let result = try await run(["card", "check", "-", "--cvc", "123"])
        #expect(result.status == 64)
        #expect(result.output.contains("only card numbers"))
    }
}

@Suite("keyin issuer, as an operator runs it")
struct IssuerExecutableTests {
    @Test("Starts on free ports, serves its ledger, stops cleanly on SIGINT")
    func serveAndLedger() async throws {
        let output = Pipe()
        let process = try await ChildProcess.launch(
            try ExecutableTests.binary, arguments: ["issuer", "--port", "0", "--admin-port", "0"],
            standardOutput: .pipe(output))
        defer { process.terminate() }

        // The second line names the admin port: "... keyin issuer ledger --admin-port N)".
        let text = try #require(await ServeCrashTests().read(output, until: /--admin-port (\d+)[^\n]*\n/))
        #expect(text.contains("카드사 시뮬레이터 실행 중"))
        let adminPort = try #require(text.firstMatch(of: /--admin-port (\d+)/)?.1)

        let ledger = try await ExecutableTests().run(["issuer", "ledger", "--admin-port", String(adminPort)])
        #expect(ledger.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(ledger.output.utf8)) as? [String: Any])
        #expect(document["entries"] as? [Any] != nil)
        #expect((document["totals"] as? [String: Any])?["capturedAmount"] as? Int == 0)

        process.interrupt()
        #expect(try await process.waitUntilExit() == 0)
    }

    @Test("A broken configuration file stops start-up with a message naming it")
    func badConfiguration() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("issuer-\(UUID()).json")
        try #"{"faults": {"dropRate": 2}}"#.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try await ExecutableTests().run([
            "issuer", "--port", "0", "--admin-port", "0", "--config", url.path,
        ])
        #expect(result.status != 0)
        #expect(result.output.contains("fault rates must be between 0 and 1"))
    }

    @Test("Asking a simulator that is not running says so")
    func ledgerWithoutSimulator() async throws {
        let result = try await ExecutableTests().run(["issuer", "ledger", "--admin-port", "1"])
        #expect(result.status != 0)
        #expect(result.output.contains("No simulator answers"))
    }
}

@Suite("keyin serve as a process: crashes, key rotation, background work", .timeLimit(.minutes(2)))
struct ServeCrashTests {
    /// Starts `keyin` with arguments and environment, returning the process and a reader of its standard output.
    func launch(_ arguments: [String], environment: [String: String] = [:]) async throws -> (
        ChildProcess, Pipe, URL
    ) {
        let output = Pipe()
        // Start-up problems go to a file the failure message can quote.
        let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-stderr-\(UUID()).log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        let errors = try FileHandle(forWritingTo: errorLog)
        defer { try? errors.close() }
        let process = try await ChildProcess.launch(
            try ExecutableTests.binary, arguments: arguments, environment: environment, standardOutput: .pipe(output),
            standardError: .file(errors))
        return (process, output, errorLog)
    }

    /// Reads standard output until `pattern` matches, and returns all that was read (nil when the output ends
    /// first, or the test's time limit ends the wait: a child that never prints cannot hold the run up).
    func read(_ pipe: Pipe, until pattern: Regex<(Substring, Substring)>) async -> String? {
        let handle = pipe.fileHandleForReading
        // A Regex is an immutable value, only read here: safe to hand to the reading thread.
        nonisolated(unsafe) let pattern = pattern
        return await ChildProcess.readOnThread {
            var text = ""
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return nil }
                text += String(decoding: chunk, as: UTF8.self)
                if text.firstMatch(of: pattern) != nil { return text }
            }
        }
    }

    static func request(_ method: String, _ url: String, key: String, body: String? = nil) async throws -> [String: Any]
    {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.setValue("Basic " + Data((key + ":").utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body.map { Data($0.utf8) }
        let (data, _) = try await URLSession.shared.data(for: request)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    @Test("Killed between the card company's approval and the commit: the next start reverses and aborts it")
    func killedMidPayment() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-crash-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let (issuer, issuerPort, adminPort) = try await launchIssuer()
        defer { issuer.terminate() }
        let environment = [
            "KEYIN_ISSUER_HOSTS": "default=127.0.0.1:\(issuerPort)", "KEYIN_RECOVER_AFTER_SECONDS": "0",
            // The longest allowed: the payment must still be waiting when the gateway is killed, however slow the run.
            "KEYIN_LINK_TIMEOUT_SECONDS": "120",
        ]
        // A deployment that names its card companies gets no demo merchant: the operator makes one.
        let key = try await Self.createMerchant(dataDirectory: dataDirectory, environment: environment)
        let serveArguments = ["serve", "--data-dir", dataDirectory.path, "--port", "0"]
        let (first, firstOutput, firstErrors) = try await launch(serveArguments, environment: environment)
        let serveBanner = try #require(
            await read(firstOutput, until: Self.listening),
            "\((try? String(contentsOf: firstErrors, encoding: .utf8))?.suffix(2000) ?? "")")
        let httpPort = try #require(listeningPort(serveBanner))
        #expect(!serveBanner.contains("test_sk_") && !serveBanner.contains("데모 상점"))

        // A card the host approves and never answers: the gateway waits with the payment IN_PROGRESS.
        let body =
            #"{"amount":25000,"orderId":"crash-order-01","orderName":"전화 주문","cardNumber":"4000000000009904","cardExpirationYear":"30","cardExpirationMonth":"12"}"#
        let pending = Task {
            _ = try? await Self.request("POST", "http://127.0.0.1:\(httpPort)/v1/payments/key-in", key: key, body: body)
        }
        var sold = false
        let giveUp = ContinuousClock.now + .seconds(60)
        while !sold && ContinuousClock.now < giveUp {
            let ledger = try await ExecutableTests().run(["issuer", "ledger", "--admin-port", adminPort]).output
            sold = ledger.contains(#""kind" : "sale""#)
        }
        #expect(sold, "the host never saw the sale")
        first.killNow()
        try await first.waitUntilExit()
        _ = await pending.value

        // The next start settles it before serving.
        let (second, secondOutput, _) = try await launch(serveArguments, environment: environment)
        defer { second.interrupt() }
        let secondPort = try #require(listeningPort(await read(secondOutput, until: Self.listening)))
        let payment = try await Self.request(
            "GET", "http://127.0.0.1:\(secondPort)/v1/payments/orders/crash-order-01", key: key)
        #expect(payment["status"] as? String == "ABORTED")
        #expect((payment["failure"] as? [String: Any])?["code"] as? String == "FAILED_INTERNAL_SYSTEM_PROCESSING")
        let totals = try #require(try await Self.ledgerTotals(adminPort: adminPort))
        #expect(totals["capturedAmount"] as? Int == 0)
        #expect(totals["reversedCount"] as? Int == 1)
    }
}

extension ServeCrashTests {
    @Test("A deployment that names card companies still runs the simulator: test keys pay there, live keys at the host")
    func testKeysStayInTheSandbox() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-modes-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let (issuer, issuerPort, adminPort) = try await launchIssuer()
        defer { issuer.terminate() }
        let environment = ["KEYIN_ISSUER_HOSTS": "default=127.0.0.1:\(issuerPort)"]
        let liveKey = try await Self.createMerchant(dataDirectory: dataDirectory, environment: environment)
        let testKey = try await Self.createMerchant(dataDirectory: dataDirectory, environment: environment, live: false)
        let (serve, output, errors) = try await launch(
            ["serve", "--data-dir", dataDirectory.path, "--port", "0"], environment: environment)
        defer { serve.interrupt() }
        let httpPort = try #require(
            listeningPort(await read(output, until: Self.listening)),
            "\((try? String(contentsOf: errors, encoding: .utf8))?.suffix(2000) ?? "")")
        func pay(_ key: String, amount: Int) async throws -> [String: Any] {
            try await Self.request(
                "POST", "http://127.0.0.1:\(httpPort)/v1/payments/key-in", key: key,
                body:
                    #"{"amount":\#(amount),"orderId":"mode-\#(UUID().uuidString.prefix(8))","orderName":"모드 확인","cardNumber":"4242424242424242","cardExpirationYear":"30","cardExpirationMonth":"12"}"#
            )
        }
        func capturedAtHost() async throws -> Int? {
            try await Self.ledgerTotals(adminPort: adminPort)?["capturedAmount"] as? Int
        }
        let test = try await pay(testKey, amount: 12_000)
        #expect(test["status"] as? String == "DONE", "\(test)")
        #expect(try await capturedAtHost() == 0, "a test payment reached the configured card company")
        let live = try await pay(liveKey, amount: 34_000)
        #expect(live["status"] as? String == "DONE", "\(live)")
        #expect(try await capturedAtHost() == 34_000)
    }
}

extension ServeCrashTests {
    @Test("Master key rotation: re-wrapped card records refund under the new key alone")
    func keyRotation() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-rotate-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let oldKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let newKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let serve = ["serve", "--data-dir", dataDirectory.path, "--port", "0"]
        // One card company for both runs, so the refund finds the sale it refers to.
        let (issuer, issuerPort, _) = try await launchIssuer()
        defer { issuer.terminate() }
        let hosts = "default=127.0.0.1:\(issuerPort)"

        let key = try await Self.createMerchant(
            dataDirectory: dataDirectory, environment: ["KEYIN_MASTER_KEY": oldKey, "KEYIN_ISSUER_HOSTS": hosts])
        let (first, firstOutput, _) = try await launch(
            serve, environment: ["KEYIN_MASTER_KEY": oldKey, "KEYIN_ISSUER_HOSTS": hosts])
        let httpPort = try #require(listeningPort(await read(firstOutput, until: Self.listening)))
        let body =
            #"{"amount":20000,"orderId":"rotate-order-1","orderName":"키 교체","cardNumber":"4242424242424242","cardExpirationYear":"30","cardExpirationMonth":"12"}"#
        let paid = try await Self.request(
            "POST", "http://127.0.0.1:\(httpPort)/v1/payments/key-in", key: key, body: body)
        let paymentKey = try #require(paid["paymentKey"] as? String)
        first.interrupt()
        try await first.waitUntilExit()

        let rotate = try await ExecutableTests().run(
            ["keys", "rotate", "--data-dir", dataDirectory.path],
            environment: [
                "KEYIN_MASTER_KEY": newKey, "KEYIN_PREVIOUS_MASTER_KEYS": oldKey, "KEYIN_ISSUER_HOSTS": hosts,
            ])
        #expect(rotate.status == 0)
        #expect(rotate.output.contains("re-wrapped 1 sealed records"))

        let (second, secondOutput, _) = try await launch(
            serve, environment: ["KEYIN_MASTER_KEY": newKey, "KEYIN_ISSUER_HOSTS": hosts])
        defer { second.interrupt() }
        let secondPort = try #require(listeningPort(await read(secondOutput, until: Self.listening)))
        let canceled = try await Self.request(
            "POST", "http://127.0.0.1:\(secondPort)/v1/payments/\(paymentKey)/cancel", key: key,
            body: #"{"cancelReason":"키 교체 후 환불"}"#)
        #expect(canceled["status"] as? String == "CANCELED", "\(canceled)")
    }
}

extension ServeCrashTests {
    /// `keyin merchant create` on the data directory; returns the new merchant's secret key: a live one by default,
    /// whose payments go to the configured card company (a test key's go to the built-in simulator).
    static func createMerchant(dataDirectory: URL, environment: [String: String], live: Bool = true) async throws
        -> String
    {
        try await createMerchantRecord(dataDirectory: dataDirectory, environment: environment, live: live).secretKey
    }

    static func createMerchantRecord(dataDirectory: URL, environment: [String: String], live: Bool) async throws
        -> (id: String, secretKey: String)
    {
        let created = try await ExecutableTests().run(
            ["merchant", "create", "--name", "운영 상점", "--json", "--data-dir", dataDirectory.path]
                + (live ? ["--live"] : []),
            // Quiet: the migrations' log lines would share the output with the JSON.
            environment: environment.merging(["KEYIN_LOG_LEVEL": "error"]) { $1 })
        let merchant = try #require(
            try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: Any], "\(created.output)")
        return (try #require(merchant["merchantId"] as? String), try #require(merchant["secretKey"] as? String))
    }
}

extension ServeCrashTests {
    /// A `keyin issuer` process, standing in for a deployment's configured card company: it, the port it takes
    /// ISO 8583 on, and its ledger's admin port.
    func launchIssuer() async throws -> (process: ChildProcess, port: String, adminPort: String) {
        let (issuer, output, _) = try await launch(["issuer", "--port", "0", "--admin-port", "0"])
        do {
            let banner = try #require(await read(output, until: /--admin-port (\d+)/))
            let port = try #require(banner.firstMatch(of: /listening on 127\.0\.0\.1:(\d+)/)?.1)
            let adminPort = try #require(banner.firstMatch(of: /--admin-port (\d+)/)?.1)
            return (issuer, String(port), String(adminPort))
        } catch {
            issuer.terminate()
            throw error
        }
    }

    /// The `totals` of a running issuer's ledger (`keyin issuer ledger`).
    static func ledgerTotals(adminPort: String) async throws -> [String: Any]? {
        let ledger = try await ExecutableTests().run(["issuer", "ledger", "--admin-port", adminPort]).output
        let document = try JSONSerialization.jsonObject(with: Data(ledger.utf8)) as? [String: Any]
        return document?["totals"] as? [String: Any]
    }
}

extension ServeCrashTests {
    /// The banner's first line, once its port is printed: `keyin serve --port 0` names the port the system chose.
    nonisolated(unsafe) static let listening = /listening on http:\/\/[^:\s]+:(\d+)/
}

/// The port `keyin serve --port 0` listens on, as its banner names it. Tests start servers on port 0: a port picked
/// in advance and freed can be taken by another process (any server binding port 0) before the server binds it.
func listeningPort(_ banner: String?) -> String? {
    banner?.firstMatch(of: ServeCrashTests.listening).map { String($0.1) }
}

/// What a browser holds after opening a running gateway's sign-in page: the form token's cookie (`name=value`) and
/// the token the form carries.
func consoleLoginForm(_ base: String) async throws -> (cookie: String, token: String) {
    let (body, response) = try await URLSession(configuration: .ephemeral).data(
        from: URL(string: "\(base)/console/login")!)
    let setCookie = try #require((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Set-Cookie"))
    let token = try #require(
        String(decoding: body, as: UTF8.self).firstMatch(of: /name="_csrf" value="([0-9a-f]+)"/)?.1)
    return (String(try #require(setCookie.split(separator: ";").first)), String(token))
}

/// A TCP port nothing on loopback is listening on right now (the kernel picks it).
func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw CocoaError(.fileNoSuchFile) }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
        }
    }
    guard bound else { throw CocoaError(.fileNoSuchFile) }
    return Int(UInt16(bigEndian: address.sin_port))
}
