import Foundation
import KeyInCore
import Testing

@Suite("Hex encoding of digests and tokens")
struct HexEncodingTests {
    @Test("Any bytes: two lower-case digits each, in order, and they read back as the same bytes")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 7, 16, 32, 33, 64] + (0..<100).map({ _ in Int.random(in: 0...80) }) {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let hex = bytes.hexEncoded
            #expect(hex.count == 2 * length)
            #expect(hex.allSatisfy { "0123456789abcdef".contains($0) })
            let pairs = stride(from: 0, to: hex.count, by: 2).map { offset in
                let start = hex.index(hex.startIndex, offsetBy: offset)
                return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)
            }
            #expect(pairs == bytes.map { Optional($0) })
        }
    }

    @Test("Known values")
    func knownValues() {
        #expect([0x00, 0x0f, 0xa0, 0xff].hexEncoded == "000fa0ff")
        #expect(Data("KeyIn".utf8).hexEncoded == "4b6579496e")
    }
}
