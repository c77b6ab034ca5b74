import Foundation
import KeyInCLI
import Testing

@Suite("keyin card check")
struct CardCheckCommandTests {
    /// 24 November 2026 in Seoul.
    static let now: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_795_489_200) }

    func run(_ arguments: [String], input: [String] = []) throws -> (status: Int32, output: CapturedIO) {
        let command = try #require(try KeyInCommand.parseAsRoot(["card", "check"] + arguments) as? CardCheckCommand)
        let captured = CapturedIO(input: input)
        return (try command.execute(io: captured.io, now: Self.now), captured)
    }

    @Test("A good card: brand, card company, masked number, exit 0")
    func validCard() throws {
        let (status, captured) = try run(["4242 4242 4242 4242", "--expiry", "12/29", "--cvc", "123"])
        #expect(status == 0)
        #expect(captured.output.contains("424242******4242"))
        #expect(captured.output.contains("Visa"))
        #expect(captured.output.contains("신한카드"))
        #expect(captured.output.contains("(41)"))
        #expect(!captured.output.contains("4242424242424242"))
    }

    @Test("A bad card: every problem with its code and both messages, exit 1")
    func invalidCard() throws {
        let (status, captured) = try run(["4242424242424241", "--expiry", "10/26", "--password", "1"])
        #expect(status == 1)
        let output = captured.output
        #expect(output.contains("INVALID_CARD_NUMBER"))
        #expect(output.contains("카드번호를 다시 확인해 주세요."))
        #expect(output.contains("Please check the card number again"))
        #expect(output.contains("EXPIRED_CARD"))
        #expect(output.contains("INVALID_CARD_PASSWORD_FORMAT"))
        #expect(output.contains("문제 3건"))
    }

    @Test("--json prints one object a program can read")
    func json() throws {
        let (status, captured) = try run(["378282246310005", "--cvc", "12", "--json"])
        #expect(status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(captured.output.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == false)
        #expect(object["brand"] as? String == "amex")
        #expect(object["maskedNumber"] as? String == "378282*****0005")
        #expect((object["company"] as? [String: Any])?["code"] as? String == "51")
        let problems = try #require(object["problems"] as? [[String: Any]])
        #expect(problems.map { $0["code"] as? String } == ["INVALID_CARD_CVC"])
        #expect(problems.first?["field"] as? String == "cardCvc")
        #expect((problems.first?["message"] as? [String: String])?["ko"]?.contains("CVC") == true)
    }

    @Test("'-' checks a list: one JSON line per card, blank lines skipped, exit 1 if any is bad")
    func bulk() throws {
        let list = ["4242424242424242", "", "5555 5555 5555 4445", "abc", "6200000000000005"]
        let (status, captured) = try run(["-"], input: list)
        #expect(status == 1)
        let objects = try captured.lines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.map { $0["line"] as? Int } == [1, 3, 4, 5])
        #expect(objects.map { $0["valid"] as? Bool } == [true, false, false, true])
        #expect(objects[1]["maskedNumber"] as? String == "555555******4445")
        for number in list where number.count >= 16 {
            #expect(!captured.output.contains(number.filter(\.isNumber)))
        }
    }

    @Test("A list of good cards exits 0")
    func bulkAllValid() throws {
        let (status, captured) = try run(["-"], input: ["4242424242424242", "3566002020360505"])
        #expect(status == 0)
        #expect(captured.lines.count == 2)
    }

    @Test("'-' cannot be mixed with per-card fields, and installments need an amount")
    func invalidCombinations() {
        #expect(throws: (any Error).self) { try KeyInCommand.parseAsRoot(["card", "check", "-", "--cvc", "123"]) }
        #expect(throws: (any Error).self) {
            try KeyInCommand.parseAsRoot(["card", "check", "4242424242424242", "--installment", "3"])
        }
    }

    @Test("An operator's BIN table replaces the shipped one")
    func customBINTable() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bins-\(UUID()).csv")
        try "bin_prefix,company_code,company_name_ko,company_name_en\n42,W1,우리카드,Woori Card\n".write(
            to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let (_, captured) = try run(["4242424242424242", "--bin-table", url.path])
        #expect(captured.output.contains("우리카드"))

        try "bin_prefix,company_code,company_name_ko,company_name_en\n42,W,우리카드,Woori Card\n".write(
            to: url, atomically: true, encoding: .utf8)
        #expect { try run(["4242424242424242", "--bin-table", url.path]) } throws: { error in
            "\(error)".contains("line 2")
        }
    }
}
