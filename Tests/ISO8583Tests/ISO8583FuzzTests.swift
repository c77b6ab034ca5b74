import Foundation
import ISO8583
import ISO8583Transport
import NIOCore
import NIOEmbedded
import Testing

/// A bounded mutation fuzzer for what a card-company host can send KeyIn: the message decoder, element 48 and 90,
/// the log description, and the framing on a channel. Inputs start from valid messages and take up to eight
/// stacked mutations each (bit flips, interesting bytes, inserted, deleted, repeated and spliced ranges, length
/// prefixes and bitmaps rewritten), so most of them get past the first checks and reach the deep ones. Seeded: a
/// failure names its seed and case, and `KEYIN_FUZZ_SEED` / `KEYIN_FUZZ_CASES` run it again or longer.
@Suite("ISO 8583 fuzzing: mutated messages and streams", .timeLimit(.minutes(2)))
struct ISO8583FuzzTests {
    static let seed = ProcessInfo.processInfo.environment["KEYIN_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5EED_8583
    static let cases = ProcessInfo.processInfo.environment["KEYIN_FUZZ_CASES"].flatMap(Int.init) ?? 30_000

    static let corpus: [[UInt8]] = [Fixtures.sale, Fixtures.reversal, Fixtures.echo, Self.approval].compactMap {
        try? ISO8583Codec.pack($0)
    }

    /// An approval as a host answers: elements 37, 38 and 39 besides the request's.
    static var approval: ISO8583Message {
        var message = Fixtures.sale
        message.mti = .financialResponse
        message[.retrievalReferenceNumber] = "1124AB12CD34"
        message[.approvalCode] = "A1B2C3"
        message[.responseCode] = "00"
        return message
    }

    @Test("A mutated message gives a message or a typed error; an accepted one re-packs to the same bytes")
    func mutatedMessages() throws {
        #expect(Self.corpus.count == 4)
        var random = SplitMix64(seed: Self.seed)
        var accepted = 0
        for index in 0..<Self.cases {
            let input = Mutator.mutate(Self.corpus[random.below(Self.corpus.count)], corpus: Self.corpus, &random)
            // unpack throws only ISO8583Error (typed throws): anything else would not compile.
            guard let message = try? ISO8583Codec.unpack(input) else { continue }
            accepted += 1
            // The same bytes, except that an empty secondary bitmap (bit 1 set, no element above 64: legal, and some
            // hosts always send one) is left out when KeyIn packs.
            let repacked = try? ISO8583Codec.pack(message)
            #expect(
                repacked == input || repacked == Mutator.withoutEmptySecondaryBitmap(input),
                "seed \(Self.seed) case \(index): does not re-pack: \(Mutator.difference(input, repacked ?? []))")
            // What the link reads from an answer must not trap on any accepted message either.
            _ = message.description
            if let text = message[.additionalData] { _ = try? AdditionalData(parsing: text) }
            if let text = message[.originalDataElements] { _ = try? OriginalDataElements(parsing: text) }
        }
        // The mutations must reach past the first checks, or the run proves little about the deep ones.
        #expect(accepted > Self.cases / 50, "only \(accepted) of \(Self.cases) mutated inputs decoded")
    }

    @Test("A stream of mutated frames in random chunks: typed results, or a typed error that closes the connection")
    func mutatedStreams() throws {
        var random = SplitMix64(seed: Self.seed ^ 0xF4A3E)
        for index in 0..<(Self.cases / 20) {
            var stream: [UInt8] = []
            for _ in 0..<(1 + random.below(6)) {
                let message = Mutator.mutate(
                    Self.corpus[random.below(Self.corpus.count)], corpus: Self.corpus, &random)
                var frame = ISO8583Frame.frame(message)
                // Now and then a length prefix that lies: short, long, zero or beyond any message.
                if random.below(8) == 0 {
                    let lie = [0, 1, message.count - 1, message.count + 1, 9000, 65535][random.below(6)]
                    frame[0] = UInt8((max(0, lie) >> 8) & 0xFF)
                    frame[1] = UInt8(max(0, lie) & 0xFF)
                }
                stream += frame
            }
            let channel = EmbeddedChannel()
            try channel.pipeline.syncOperations.addISO8583Codec()
            var offset = 0
            var decoded = 0
            do {
                while offset < stream.count {
                    let end = min(stream.count, offset + 1 + random.below(96))
                    try channel.writeInbound(ByteBuffer(bytes: stream[offset..<end]))
                    offset = end
                    while let result = try channel.readInbound(as: Result<ISO8583Message, ISO8583Error>.self) {
                        decoded += 1
                        if case .success(let message) = result { _ = message.description }
                    }
                }
            } catch {
                #expect(error is ISO8583Error, "seed \(Self.seed) stream \(index): unexpected \(error)")
            }
            #expect(decoded <= 6, "seed \(Self.seed) stream \(index): more messages than frames")
            _ = try? channel.finish()
        }
    }

    @Test("Valid frames in any chunking decode to exactly the messages sent")
    func validStreamsInAnyChunks() throws {
        var random = SplitMix64(seed: Self.seed ^ 0xC4A11)
        let messages = [Fixtures.sale, Fixtures.reversal, Fixtures.echo, Self.approval]
        for _ in 0..<500 {
            let sent = (0..<(1 + random.below(8))).map { _ in messages[random.below(messages.count)] }
            let stream = try sent.flatMap { ISO8583Frame.frame(try ISO8583Codec.pack($0)) }
            let channel = EmbeddedChannel()
            try channel.pipeline.syncOperations.addISO8583Codec()
            var offset = 0
            var received: [ISO8583Message] = []
            while offset < stream.count {
                let end = min(stream.count, offset + 1 + random.below(40))
                try channel.writeInbound(ByteBuffer(bytes: stream[offset..<end]))
                offset = end
                while let result = try channel.readInbound(as: Result<ISO8583Message, ISO8583Error>.self) {
                    received.append(try result.get())
                }
            }
            #expect(received == sent)
            _ = try channel.finish()
        }
    }
}

/// Stacked mutations of a valid message, aimed at the places a decoder trusts: length prefixes, bitmaps, sizes.
enum Mutator {
    /// A packed message with an all-zero secondary bitmap, as KeyIn would pack it: bit 1 cleared, the 16 zeros gone.
    static func withoutEmptySecondaryBitmap(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= 36, bytes[20..<36].allSatisfy({ $0 == 0x30 }),
            let first = UInt8(String(decoding: [bytes[4]], as: UTF8.self), radix: 16), first & 0x8 != 0
        else { return nil }
        var packed = Array(bytes[..<20]) + bytes[36...]
        packed[4] = Array("0123456789ABCDEF".utf8)[Int(first & 0x7)]
        return packed
    }

    /// Where two byte strings part, as text around that place (the fixtures hold only test card data).
    static func difference(_ a: [UInt8], _ b: [UInt8]) -> String {
        let at = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        func around(_ bytes: [UInt8]) -> String {
            String(decoding: bytes[max(0, at - 12)..<min(bytes.count, at + 12)], as: UTF8.self).debugDescription
        }
        return "\(a.count) bytes in, \(b.count) out, parting at \(at): \(around(a)) vs \(around(b))"
    }

    static let interesting: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x20, 0x30, 0x39, 0x41, 0x46, 0x61, 0x0A, 0xC0]

    static func mutate(_ original: [UInt8], corpus: [[UInt8]], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = original
        for _ in 0..<(1 + random.below(8)) {
            guard !bytes.isEmpty else {
                bytes = [UInt8(truncatingIfNeeded: random.next())]
                continue
            }
            let at = random.below(bytes.count)
            switch random.below(9) {
            case 0: bytes[at] ^= 1 << UInt8(random.below(8))
            case 1: bytes[at] = interesting[random.below(interesting.count)]
            case 2: bytes[at] = UInt8(0x30 + random.below(10))  // another digit: lengths and amounts
            case 3: bytes.insert(contentsOf: (0..<(1 + random.below(8))).map { _ in random.byte() }, at: at)
            case 4: bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.below(16)))
            case 5:
                let end = min(bytes.count, at + 1 + random.below(24))
                bytes.insert(contentsOf: bytes[at..<end], at: random.below(bytes.count))
            case 6:
                // Splice: this message's head with another's tail.
                let other = corpus[random.below(corpus.count)]
                bytes = Array(bytes[..<at]) + other[random.below(other.count)...]
            case 7:
                // A bitmap character (bytes 4-19, or 20-35 when there is a secondary one) set to another hex digit.
                let position = 4 + random.below(min(32, max(1, bytes.count - 4)))
                if position < bytes.count { bytes[position] = Array("0123456789ABCDEF".utf8)[random.below(16)] }
            default: bytes = Array(bytes.prefix(at))
            }
        }
        return bytes
    }
}

/// A small seeded generator, so a fuzzing failure can be run again exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
}
