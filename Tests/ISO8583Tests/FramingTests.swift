import ISO8583
import ISO8583Transport
import NIOCore
import NIOEmbedded
import PropertyBased
import Testing

@Suite("Framing: the 2-byte length before each message")
struct FramingTests {
    @Test("Frames split from a stream, an incomplete one waits")
    func split() throws {
        let first = try ISO8583Codec.pack(Fixtures.sale)
        let second = try ISO8583Codec.pack(Fixtures.echo)
        let stream = ISO8583Frame.frame(first) + ISO8583Frame.frame(second) + [0x00, 0x10, 0x30]
        let (frames, consumed) = try ISO8583Frame.split(stream)
        #expect(frames == [first, second])
        #expect(consumed == stream.count - 3)
    }

    @Test(
        "A length prefix no message can have is refused",
        arguments: [[UInt8](arrayLiteral: 0x00, 0x00), [0xFF, 0xFF, 0x30], [0x20, 0x01]])
    func oversized(prefix: [UInt8]) {
        #expect(throws: ISO8583Error.self) { try ISO8583Frame.split(prefix) }
    }

    @Test("The channel decoder survives random bytes in random chunks: typed results or a closed connection")
    func randomStreamIntoChannel() async {
        await propertyCheck(count: 300, input: Gen<UInt8>.value(in: 0...255).array(of: 0...600), Gen.int(in: 1...64)) {
            bytes, chunk in
            let channel = EmbeddedChannel()
            var offset = 0
            do {
                try channel.pipeline.syncOperations.addISO8583Codec()
                while offset < bytes.count {
                    let end = min(bytes.count, offset + chunk)
                    try channel.writeInbound(ByteBuffer(bytes: bytes[offset..<end]))
                    offset = end
                }
                while let result = try channel.readInbound(as: Result<ISO8583Message, ISO8583Error>.self) {
                    _ = result
                }
            } catch {
                #expect(error is ISO8583Error, "unexpected \(error)")
            }
            _ = try? channel.finish()
        }
    }

    @Test("A message written to the channel comes out framed, and reads back")
    func encoderDecoder() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addISO8583Codec()
        try channel.writeOutbound(Fixtures.sale)
        let framed = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(framed.getInteger(at: 0, as: UInt16.self) == UInt16(framed.readableBytes - 2))
        try channel.writeInbound(framed)
        let decoded = try #require(try channel.readInbound(as: Result<ISO8583Message, ISO8583Error>.self))
        #expect(try decoded.get() == Fixtures.sale)
        _ = try channel.finish()
    }
}
