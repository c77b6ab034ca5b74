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
