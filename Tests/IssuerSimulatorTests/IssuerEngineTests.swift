import Foundation
import ISO8583
import IssuerSimulator
import KeyInCore
import Testing

@Suite("The simulated card company's decisions")
struct IssuerEngineTests {
    static let noon = try! Date("2026-11-24T12:00:00+09:00", strategy: .iso8601)

    static func request(
        _ mti: MessageTypeIndicator = .financialRequest, card: String = "4242424242424242", amount: Int64 = 15_000,
        stan: String = "000001", processingCode: String = "000000", additional: AdditionalData? = nil
    ) -> ISO8583Message {
        var message = ISO8583Message(mti: mti)
        message[.primaryAccountNumber] = card
        message[.processingCode] = processingCode
        message[.amount] = String(format: "%012d", amount)
        message[.transmissionDateTime] = "1124030000"
        message[.systemTraceAuditNumber] = stan
        message[.localTime] = "120000"
        message[.localDate] = "1124"
        message[.expirationDate] = "3012"
        message[.posEntryMode] = "012"
        message[.posConditionCode] = "08"
        message[.terminalID] = "KEYIN001"
        message[.merchantID] = "M00000000000001"
        message[.currencyCode] = "410"
        message.additionalData = additional
        return message
    }

    func answer(_ reply: IssuerReply) throws -> ISO8583Message {
        guard case .respond(let messages) = reply, let last = messages.last else {
            Issue.record("expected an answer, got \(reply)")
            throw CancellationError()
        }
        return last
    }

    @Test("A request missing required elements is a format error (30)")
    func formatError() async throws {
        let engine = IssuerEngine(now: { Self.noon })
        var request = Self.request()
        request[.expirationDate] = nil
        #expect(try answer(await engine.handle(request))[.responseCode] == "30")
    }

    @Test("An expired card is 54, per the Seoul calendar month; so is a month that does not exist")
    func expired() async throws {
        let engine = IssuerEngine(now: { Self.noon })
        var request = Self.request()
        request[.expirationDate] = "2610"
        #expect(try answer(await engine.handle(request))[.responseCode] == "54")
        request[.systemTraceAuditNumber] = "000002"
        request[.expirationDate] = "2611"
        #expect(try answer(await engine.handle(request))[.responseCode] == "00")
        // Four digits that name no month are no expiry a card could carry.
        request[.systemTraceAuditNumber] = "000003"
        request[.expirationDate] = "3013"
        #expect(try answer(await engine.handle(request))[.responseCode] == "54")
    }

    @Test("Reversals are idempotent: the repeat (0401) of a settled reversal is answered 00 and changes nothing")
    func reversalIdempotent() async throws {
        let engine = IssuerEngine(now: { Self.noon })
        let sale = Self.request(stan: "000010")
        _ = try answer(await engine.handle(sale))
        var reversal = ISO8583Message(mti: .reversalRequest)
        reversal[.systemTraceAuditNumber] = "000011"
        reversal[.transmissionDateTime] = "1124030100"
        reversal[.terminalID] = "KEYIN001"
        reversal[.originalDataElements] =
            OriginalDataElements(
                messageType: .financialRequest, systemTraceAuditNumber: "000010", transmissionDateTime: "1124030000"
            ).encoded
        #expect(try answer(await engine.handle(reversal))[.responseCode] == "00")
        reversal.mti = .reversalRepeat
        #expect(try answer(await engine.handle(reversal))[.responseCode] == "00")
        let ledger = await engine.entries()
        #expect(ledger.filter { $0.kind == .reversal }.count == 1)
        #expect(ledger.totals.capturedAmount == 0)
    }

    @Test("A reversal of something never received is answered 00 and recorded")
    func reversalOfUnknown() async throws {
        let engine = IssuerEngine(now: { Self.noon })
        var reversal = ISO8583Message(mti: .reversalRequest)
        reversal[.systemTraceAuditNumber] = "000011"
        reversal[.transmissionDateTime] = "1124030100"
        reversal[.terminalID] = "KEYIN001"
        reversal[.originalDataElements] =
            OriginalDataElements(
                messageType: .financialRequest, systemTraceAuditNumber: "999999", transmissionDateTime: "1124030000"
            ).encoded
        #expect(try answer(await engine.handle(reversal))[.responseCode] == "00")
        #expect(await engine.entries().map(\.kind) == [.reversal])
    }

    @Test("A late card's answer is held; the reversal releases it ahead of the 0410")
    func heldAnswer() async throws {
        let engine = IssuerEngine(now: { Self.noon })
        let sale = Self.request(card: "4000000000009912", stan: "000020")
        guard case .hold(let key, _) = await engine.handle(sale) else {
            Issue.record("expected the answer to be held")
            return
        }
        var reversal = ISO8583Message(mti: .reversalRequest)
        reversal[.systemTraceAuditNumber] = "000021"
        reversal[.transmissionDateTime] = "1124030100"
        reversal[.terminalID] = "KEYIN001"
        reversal[.originalDataElements] =
            OriginalDataElements(
                messageType: .financialRequest, systemTraceAuditNumber: "000020", transmissionDateTime: "1124030000"
            ).encoded
        guard case .respond(let messages) = await engine.handle(reversal) else {
            Issue.record("expected answers")
            return
        }
        #expect(messages.map(\.mti) == [.financialResponse, .reversalResponse])
        #expect(await engine.releaseHeldAnswer(key) == nil)
    }

    @Test("Maintenance windows cross midnight and end at the configured Seoul time")
    func maintenanceWindow() async throws {
        for (time, inside) in [("23:49", false), ("23:50", true), ("00:05", true), ("00:10", false)] {
            let now = try Date("2026-11-24T\(time):00+09:00", strategy: .iso8601)
            let engine = IssuerEngine(now: { now })
            let reply = try answer(await engine.handle(Self.request(card: "4111111111111111")))
            #expect((reply[.responseCode] == "91") == inside, "at \(time)")
            if inside {
                let end = reply.additionalData?[.maintenanceEnd]
                #expect(end == (time == "23:50" ? "2611250010" : "2611240010"))
            }
        }
    }

    @Test("Ledger entries never hold a full card number")
    func ledgerIsMasked() async throws {
        let engine = IssuerEngine(now: { Self.noon })
        _ = await engine.handle(Self.request(card: "5555555555554444"))
        let json = String(decoding: LedgerDocument(entries: await engine.entries()).json(), as: UTF8.self)
        #expect(!json.contains("5555555555554444"))
        #expect(json.contains("555555******4444"))
    }

    @Test("Configuration files: missing keys keep defaults, bad values are refused")
    func configuration() throws {
        let partial = try IssuerConfiguration.load(json: Data(#"{"lateAnswerMilliseconds": 500}"#.utf8))
        #expect(partial.lateAnswerMilliseconds == 500)
        #expect(partial.cardholderBirthDate == "900101")
        #expect(IssuerConfiguration.default.accounts.count == 17)
        #expect(IssuerConfiguration.default.maintenanceWindows == [.init(company: "21", start: "23:50", end: "00:10")])
        let badTime = try IssuerConfiguration.load(
            json: Data(#"{"maintenanceWindows": [{"company": "41", "start": "25:00", "end": "01:00"}]}"#.utf8))
        #expect(throws: IssuerConfigurationError.self) { try badTime.validate() }
        let badRate = try IssuerConfiguration.load(json: Data(#"{"faults": {"dropRate": 1.5}}"#.utf8))
        #expect(throws: IssuerConfigurationError.self) { try badRate.validate() }
        let badCard = try IssuerConfiguration.load(
            json: Data(#"{"accounts": [{"cardNumber": "4242424242424241"}]}"#.utf8))
        #expect(throws: IssuerConfigurationError.self) { try badCard.validate() }
        #expect(throws: (any Error).self) { try IssuerConfiguration.load(json: Data("{".utf8)) }
        let noBooks = try IssuerConfiguration.load(json: Data(#"{"retainedTransactions": 0}"#.utf8))
        #expect(throws: IssuerConfigurationError.self) { try noBooks.validate() }
    }

    @Test("The books keep the configured number of transactions; a card with none left has its credit back")
    func booksAreBounded() async throws {
        var configuration = IssuerConfiguration.default
        configuration.retainedTransactions = 10
        configuration.defaultCreditLimit = 20_000
        let engine = IssuerEngine(configuration: configuration, now: { Self.noon })
        // One sale uses most of the card's limit: a second is over it (51) while the first is in the books.
        let card = "4242424242424242"
        #expect(try answer(await engine.handle(Self.request(card: card, stan: "000001")))[.responseCode] == "00")
        #expect(try answer(await engine.handle(Self.request(card: card, stan: "000002")))[.responseCode] == "51")
        // Other cards' payments push both out of the books.
        for number in 0..<20 {
            let other = "55555555555544" + String(format: "%02d", number)
            _ = await engine.handle(Self.request(card: other, stan: String(format: "%06d", 100 + number)))
        }
        let entries = await engine.entries()
        #expect(entries.count <= 11 && entries.count >= 10)
        #expect(!entries.contains { $0.stan == "000001" })
        // Its period closed, the card pays again.
        #expect(try answer(await engine.handle(Self.request(card: card, stan: "000003")))[.responseCode] == "00")
    }

    @Test("A file that names only faults keeps the test cards and the maintenance window; naming them replaces them")
    func configurationKeepsTestCards() async throws {
        let faultsOnly = try IssuerConfiguration.load(json: Data(#"{"faults": {"dropRate": 0.01}}"#.utf8))
        #expect(faultsOnly.faults.dropRate == 0.01)
        #expect(faultsOnly.accounts == IssuerConfiguration.default.accounts)
        #expect(faultsOnly.maintenanceWindows == IssuerConfiguration.default.maintenanceWindows)
        // The scripted decline still declines: the file did not drop the card.
        let engine = IssuerEngine(configuration: faultsOnly, now: { Self.noon })
        #expect(try answer(await engine.handle(Self.request(card: "4000000000000002")))[.responseCode] == "05")

        let replaced = try IssuerConfiguration.load(
            json: Data(
                #"{"accounts": [{"cardNumber": "4242424242424242", "responseCode": "51"}], "maintenanceWindows": []}"#
                    .utf8))
        #expect(replaced.accounts == [.init(cardNumber: "4242424242424242", responseCode: "51")])
        #expect(replaced.maintenanceWindows.isEmpty)
    }
}

@Suite("The simulator's fault injection")
struct FaultDiceTests {
    @Test("One seed gives one sequence of decisions, so a chaos run can be replayed; another seed another")
    func seedReplays() {
        let first = FaultDice(seed: 42)
        let again = FaultDice(seed: 42)
        let other = FaultDice(seed: 43)
        let sequence = (0..<200).map { _ in first.chance() }
        #expect(sequence == (0..<200).map { _ in again.chance() })
        #expect(sequence != (0..<200).map { _ in other.chance() })
        #expect(sequence.allSatisfy { (0..<1).contains($0) })
        // Spread over the interval, not stuck: a 15 % drop rate drops about 15 % of requests.
        let dropped = (0..<10_000).filter { _ in first.chance() < 0.15 }.count
        #expect((1_200...1_800).contains(dropped))
        #expect((0..<500).map { _ in first.pick(in: 3...7) }.allSatisfy { (3...7).contains($0) })
        let configuration = try? IssuerConfiguration.load(json: Data(#"{"faults": {"seed": 7, "dropRate": 0.5}}"#.utf8))
        #expect(configuration?.faults.seed == 7)
    }
}
