import Foundation
import Testing

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

    func run(_ arguments: [String], stdin: String = "") throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try Self.binary
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("Exit status 0 for a valid card, 1 for an invalid one")
    func exitStatus() throws {
        #expect(try run(["card", "check", "4242424242424242"]).status == 0)
        let invalid = try run(["card", "check", "4242424242424241"])
        #expect(invalid.status == 1)
        #expect(invalid.output.contains("INVALID_CARD_NUMBER"))
    }

    @Test("Reads a list from standard input")
    func standardInput() throws {
        let result = try run(["card", "check", "-"], stdin: "4242424242424242\n5555555555554444\n")
        #expect(result.status == 0)
        #expect(result.output.split(separator: "\n").count == 2)
        #expect(!result.output.contains("4242424242424242"))
    }

    @Test("A usage mistake is reported, not a crash")
    func usageError() throws {
        let result = try run(["card", "check", "-", "--cvc", "123"])
        #expect(result.status == 64)
        #expect(result.output.contains("only card numbers"))
    }
}

@Suite("keyin issuer, as an operator runs it")
struct IssuerExecutableTests {
    @Test("Starts on free ports, serves its ledger, stops cleanly on SIGINT")
    func serveAndLedger() throws {
        let process = Process()
        process.executableURL = try ExecutableTests.binary
        process.arguments = ["issuer", "--port", "0", "--admin-port", "0"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // The second line names the admin port: "... keyin issuer ledger --admin-port N)".
        var text = ""
        while !text.contains("--admin-port") || !text.hasSuffix("\n") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        #expect(text.contains("카드사 시뮬레이터 실행 중"))
        let adminPort = try #require(text.firstMatch(of: /--admin-port (\d+)/)?.1)

        let ledger = try ExecutableTests().run(["issuer", "ledger", "--admin-port", String(adminPort)])
        #expect(ledger.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(ledger.output.utf8)) as? [String: Any])
        #expect(document["entries"] as? [Any] != nil)
        #expect((document["totals"] as? [String: Any])?["capturedAmount"] as? Int == 0)

        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("A broken configuration file stops start-up with a message naming it")
    func badConfiguration() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("issuer-\(UUID()).json")
        try #"{"faults": {"dropRate": 2}}"#.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try ExecutableTests().run(["issuer", "--port", "0", "--admin-port", "0", "--config", url.path])
        #expect(result.status != 0)
        #expect(result.output.contains("fault rates must be between 0 and 1"))
    }

    @Test("Asking a simulator that is not running says so")
    func ledgerWithoutSimulator() throws {
        let result = try ExecutableTests().run(["issuer", "ledger", "--admin-port", "1"])
        #expect(result.status != 0)
        #expect(result.output.contains("No simulator answers"))
    }
}
