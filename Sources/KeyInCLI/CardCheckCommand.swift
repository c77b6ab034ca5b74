import ArgumentParser
import Foundation
import KeyInCore

/// `keyin card check`: the same checks the payment page runs, from a terminal or over a merchant's list.
package struct CardCheckCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a keyed-in card before charging it.",
        discussion: """
            Prints the brand, the card company (카드사), the masked number and every problem with its catalog \
            code and both messages. Exits 0 when everything given is valid, 1 when not.

            With '-' instead of a number, reads one card number per line from standard input and prints one \
            JSON object per line; exits 1 when any line is invalid.
            """
    )

    @Argument(help: "The card number (spaces and hyphens allowed), or '-' to read numbers from standard input.")
    var number: String

    @Option(help: "Expiry date: MM/YY, MMYY, MM/YYYY or M/YY.")
    var expiry: String?

    @Option(help: "CVC: 3 digits, 4 for American Express.")
    var cvc: String?

    @Option(help: "Birth date YYMMDD (personal card) or 10-digit business registration number (corporate card).")
    var identity: String?

    @Option(help: "The first 2 digits of the card password.")
    var password: String?

    @Option(help: "Amount in minor units of the currency (won for KRW).")
    var amount: Int64?

    @Option(help: "ISO 4217 currency code.")
    var currency: String?

    @Option(help: "Installment months: 0 (일시불) or 2-12; needs --amount.")
    var installment: Int?

    @Option(help: "A card-company table to use instead of the bundled one (CSV; see README).")
    var binTable: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    package init() {}

    var readsStandardInput: Bool { number == "-" }

    package func validate() throws {
        if readsStandardInput
            && [expiry, cvc, identity, password, currency].contains(where: { $0 != nil })
            || readsStandardInput && (amount != nil || installment != nil)
        {
            throw ValidationError("With '-' only card numbers are read; the other card fields cannot be given.")
        }
        if installment != nil && amount == nil {
            throw ValidationError("--installment needs --amount: whether installments are allowed depends on it.")
        }
    }

    package func run() async throws {
        let status = try execute(io: .standard)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the check and returns the exit status: 0 when valid, 1 when not.
    package func execute(io: CommandIO, now: @escaping @Sendable () -> Date = { Date() }) throws -> Int32 {
        let validator = CardEntryValidator(binTable: try loadBINTable(), now: now)
        if readsStandardInput {
            return checkLines(io: io, validator: validator)
        }
        let entry = CardEntry(
            cardNumber: number, expiry: expiry, cvc: cvc, customerIdentityNumber: identity, cardPassword: password,
            amount: amount, currency: currency, installmentMonths: installment)
        let check = validator.check(entry)
        io.write(json ? CardCheckReport(check).jsonLine() : CardCheckReport(check).text())
        return check.isValid ? 0 : 1
    }

    private func checkLines(io: CommandIO, validator: CardEntryValidator) -> Int32 {
        var status: Int32 = 0
        var lineNumber = 0
        while let line = io.readLine() {
            lineNumber += 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let check = validator.check(CardEntry(cardNumber: line))
            if !check.isValid { status = 1 }
            io.write(CardCheckReport(check, line: lineNumber).jsonLine())
        }
        return status
    }

    private func loadBINTable() throws -> BINTable {
        guard let path = binTable else { return .bundled }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("Cannot read the BIN table at \(path).")
        }
        do {
            return try BINTable(csv: text)
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }
}
