import Foundation
import IssuerSimulator
import KeyInCLI
import Testing

@Suite("keyin issuer authentication-value")
struct IssuerAuthenticationValueTests {
    func run(_ arguments: [String]) throws -> String {
        let command = try #require(
            try KeyInCommand.parseAsRoot(["issuer", "authentication-value"] + arguments)
                as? IssuerAuthenticationValueCommand)
        let captured = CapturedIO()
        try command.execute(io: captured.io)
        return captured.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(
        "Prints the value the simulator accepts: one per card, ECI, transaction and amount, and per authentication key")
    func printsTheIssuedValue() throws {
        let value = try run(["--card", "4242 4242 4242 4242", "--eci", "05", "--xid", "T1", "--amount", "15000"])
        #expect(value.count == 28 && Data(base64Encoded: value)?.count == 20)
        #expect(
            value
                == IssuerConfiguration.default.authenticationValue(
                    cardNumber: "4242424242424242", transactionID: "T1", eci: "05", amount: 15_000, currencyCode: "410")
        )
        #expect(try run(["--card", "4242424242424242", "--eci", "06", "--xid", "T1", "--amount", "15000"]) != value)
        #expect(try run(["--card", "4242424242424242", "--eci", "05", "--amount", "15000"]) != value)
        #expect(try run(["--card", "4242424242424242", "--eci", "05", "--xid", "T1", "--amount", "15001"]) != value)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("issuer-\(UUID()).json")
        try Data(#"{"authenticationKey": "another issuer's key"}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(
            try run(["--card", "4242424242424242", "--xid", "T1", "--amount", "15000", "--config", file.path]) != value)
    }

    @Test(
        "A number that is not a card, an ECI that is not 2 digits, or no positive amount is refused before anything is printed"
    )
    func refusesBadInput() {
        #expect(throws: (any Error).self) { try run(["--card", "4242424242424241", "--amount", "1000"]) }
        #expect(throws: (any Error).self) { try run(["--card", "4242424242424242", "--eci", "5", "--amount", "1000"]) }
        #expect(throws: (any Error).self) { try run(["--card", "4242424242424242"]) }
        #expect(throws: (any Error).self) { try run(["--card", "4242424242424242", "--amount", "0"]) }
    }
}
