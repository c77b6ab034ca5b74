import ISO8583
import PropertyBased
import Testing

@Suite("Element 48 sub-elements and element 90")
struct AdditionalDataTests {
    @Test("Sub-elements encode as tag, 2-digit length, value, in tag order")
    func encoding() throws {
        let data = AdditionalData([.installmentMonths: "03", .cvc2: "123", .originalRRN: "261124000001"])
        #expect(data.encoded == "010312304020307122611240000 01".replacingOccurrences(of: " ", with: ""))
        #expect(try AdditionalData(parsing: data.encoded) == data)
    }

    @Test("Any values round-trip")
    func roundTrip() async {
        await propertyCheck(input: Gen.letterOrNumber.string(of: 0...30), Gen.number.string(of: 1...10)) { a, b in
            let data = AdditionalData([.authenticationValue: a, .customerIdentity: b])
            #expect((try? AdditionalData(parsing: data.encoded)) == data)
        }
    }

    @Test(
        "Unknown tags, short values and repeats are errors",
        arguments: ["9901x", "0105123", "01031230103456", "01", "0A03123"])
    func malformed(text: String) {
        #expect(throws: ISO8583Error.self) { try AdditionalData(parsing: text) }
    }

    @Test("Element 90 round-trips and refuses anything but 42 digits")
    func originalDataElements() throws {
        let original = OriginalDataElements(
            messageType: .authorizationRequest, systemTraceAuditNumber: "000777", transmissionDateTime: "1231235959")
        #expect(original.encoded.count == 42)
        #expect(try OriginalDataElements(parsing: original.encoded) == original)
        #expect(throws: ISO8583Error.self) { try OriginalDataElements(parsing: "0100") }
    }

    @Test("A logged message shows no card number, CVC, identity number, password digits or expiry")
    func redaction() {
        let text = "\(Fixtures.sale)"
        #expect(text.contains("2=424242******4242"))
        for secret in ["4242424242424242", "737", "900101", "58", "2912"] {
            #expect(!text.contains(secret), "\(text) shows \(secret)")
        }
        #expect(text.contains("04:00"))
    }

    @Test("A logged message shows no 3-D Secure value, ECI or transaction id; the interest flag stays readable")
    func authenticationRedaction() {
        var sale = Fixtures.sale
        var additional = sale.additionalData ?? AdditionalData()
        additional[.authenticationValue] = "Q0FWVlNFQ1JFVFZBTFVFMTIzNDU2"
        additional[.eci] = "05"
        additional[.authenticationTransactionID] = "WElEU0VDUkVUVFJBTlNBQ1RJT04="
        additional[.merchantPaysInterest] = "1"
        sale.additionalData = additional
        let text = "\(sale)"
        for secret in ["Q0FWVlNFQ1JFVFZBTFVFMTIzNDU2", "WElEU0VDUkVUVFJBTlNBQ1RJT04=", "06:05"] {
            #expect(!text.contains(secret), "\(text) shows \(secret)")
        }
        #expect(text.contains("05:" + String(repeating: "*", count: 28)) && text.contains("06:**"))
        #expect(text.contains("10:1"))
    }
}
