import Foundation
import ISO8583
import PropertyBased
import Testing

@Suite("ISO 8583 pack and unpack")
struct ISO8583CodecTests {
    @Test(
        "Every message KeyIn sends survives a round trip", arguments: [Fixtures.sale, Fixtures.reversal, Fixtures.echo])
    func roundTrip(message: ISO8583Message) throws {
        let bytes = try ISO8583Codec.pack(message)
        #expect(try ISO8583Codec.unpack(bytes) == message)
    }

    @Test("The documented example: MTI, uppercase hex bitmap, LLVAR and LLLVAR prefixes")
    func documentedLayout() throws {
        let text = String(decoding: try ISO8583Codec.pack(Fixtures.sale), as: UTF8.self)
        #expect(text.hasPrefix("0200723C048000C18000"))
        #expect(text.contains("164242424242424242000000"))
        #expect(text.contains("02901037370206900101030258040200410"))
        let secondary = String(decoding: try ISO8583Codec.pack(Fixtures.reversal), as: UTF8.self)
        // Bit 1 announces the secondary bitmap; bit 90 is the 26th bit of it.
        #expect(secondary.hasPrefix("0400B238000000C080000000004000000000"))
    }

    @Test("Each element type round-trips at its limits")
    func elementLimits() throws {
        var message = ISO8583Message(mti: .authorizationRequest)
        message[.primaryAccountNumber] = String(repeating: "9", count: 19)
        message[.additionalData] = String(repeating: "x", count: 999)
        message[.retrievalReferenceNumber] = "AB12cd34EF56"
        message[.terminalID] = "T 1-_/.#"
        message[.networkManagementCode] = "001"
        #expect(try ISO8583Codec.unpack(try ISO8583Codec.pack(message)) == message)
        message[.primaryAccountNumber] = ""
        #expect(try ISO8583Codec.unpack(try ISO8583Codec.pack(message)) == message)
    }

    @Test("Packing refuses values that break the element's format")
    func packValidation() {
        var tooLong = Fixtures.sale
        tooLong[.primaryAccountNumber] = String(repeating: "4", count: 20)
        #expect(throws: ISO8583Error.invalidLength(element: .primaryAccountNumber, length: 20)) {
            try ISO8583Codec.pack(tooLong)
        }
        var letters = Fixtures.sale
        letters[.amount] = "00000001500A"
        #expect(throws: ISO8583Error.invalidContent(element: .amount)) { try ISO8583Codec.pack(letters) }
        var short = Fixtures.sale
        short[.systemTraceAuditNumber] = "123"
        #expect(throws: ISO8583Error.invalidLength(element: .systemTraceAuditNumber, length: 3)) {
            try ISO8583Codec.pack(short)
        }
        var nonASCII = Fixtures.sale
        nonASCII[.merchantID] = "가맹점000000000"
        #expect(throws: ISO8583Error.self) { try ISO8583Codec.pack(nonASCII) }
    }

    @Test("Any random bytes give a message or a typed error, and a message re-packs to the same bytes")
    func randomBytes() async {
        await propertyCheck(count: 2000, input: Gen<UInt8>.value(in: 0...255).array(of: 0...300)) { bytes in
            // unpack throws only ISO8583Error (typed throws); a message it accepts must re-pack exactly.
            if let message = try? ISO8583Codec.unpack(bytes) {
                #expect((try? ISO8583Codec.pack(message)) == bytes)
            }
        }
    }

    @Test("Bytes that look nearly right still give typed errors: mutations of a valid message")
    func mutatedMessages() async throws {
        let valid = try ISO8583Codec.pack(Fixtures.sale)
        await propertyCheck(
            count: 2000, input: Gen.int(in: 0...(valid.count - 1)), Gen<UInt8>.value(in: 0...255)
        ) { index, byte in
            var mutated = valid
            mutated[index] = byte
            if let message = try? ISO8583Codec.unpack(mutated) {
                #expect((try? ISO8583Codec.pack(message)) == mutated)
            }
        }
    }

    @Test("Every truncation of a valid message is an error")
    func truncation() throws {
        let valid = try ISO8583Codec.pack(Fixtures.sale)
        for length in 0..<valid.count {
            #expect(throws: ISO8583Error.self) { try ISO8583Codec.unpack(valid.prefix(length)) }
        }
        #expect(throws: ISO8583Error.trailingBytes(count: 1)) { try ISO8583Codec.unpack(valid + [0x30]) }
    }

    @Test("Specific malformations name what is wrong")
    func namedErrors() {
        #expect(throws: ISO8583Error.invalidMessageType) { try ISO8583Codec.unpack(Array("02X0".utf8)) }
        #expect(throws: ISO8583Error.invalidBitmap) { try ISO8583Codec.unpack(Array("0200723c058001808000".utf8)) }
        #expect(throws: ISO8583Error.unsupportedElement(number: 5)) {
            try ISO8583Codec.unpack(Array("02000800000000000000".utf8))
        }
        #expect(throws: ISO8583Error.invalidLengthPrefix(element: .primaryAccountNumber)) {
            try ISO8583Codec.unpack(Array("02004000000000000000A1".utf8))
        }
        #expect(throws: ISO8583Error.invalidLength(element: .primaryAccountNumber, length: 25)) {
            try ISO8583Codec.unpack(Array("0200400000000000000025".utf8))
        }
    }

    @Test("The element table defines every element KeyIn uses")
    func table() {
        for element in DataElement.allCases {
            #expect(ElementSpecification.of(element).element == element)
        }
    }

    @Test("Response types")
    func responseTypes() {
        #expect(MessageTypeIndicator.financialRequest.response == .financialResponse)
        #expect(MessageTypeIndicator.reversalRepeat.response == .reversalResponse)
        #expect(MessageTypeIndicator.financialAdvice.response == .financialAdviceResponse)
        #expect(MessageTypeIndicator.networkManagementRequest.response == .networkManagementResponse)
        #expect(MessageTypeIndicator.authorizationResponse.isResponse)
        #expect(!MessageTypeIndicator.financialAdvice.isResponse)
    }
}

@Suite("docs/card-network.md's wire-format example")
struct DocumentedExampleTests {
    @Test("The hex example in docs/card-network.md is exactly what the codec frames for that sale")
    func exampleMatches() throws {
        let document = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs").appendingPathComponent("card-network.md")
        let text = try String(contentsOf: document, encoding: .utf8)
        let marker = try #require(text.range(of: "<!-- iso8583-example-hex -->\n```text\n"))
        let end = try #require(text.range(of: "```", range: marker.upperBound..<text.endIndex))
        let documented = text[marker.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        let framed = ISO8583Frame.frame(try ISO8583Codec.pack(Fixtures.sale))
        #expect(documented == framed.map { String(format: "%02X", $0) }.joined())
    }
}
