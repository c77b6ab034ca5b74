import ISO8583
import NIOCore

/// Cuts the TCP byte stream into messages at each 2-byte big-endian length and unpacks them.
///
/// A frame whose bytes are not a valid message is passed on as a failure, so the handler after it can log and
/// carry on: the framing still holds. A length prefix that cannot be a KeyIn message (zero, or larger than
/// `ISO8583Frame.maximumLength`) means the stream is out of step, and is thrown, which closes the connection.
public struct ISO8583FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Result<ISO8583Message, ISO8583Error>

    public init() {}

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) else { return .needMoreData }
        guard length > 0, Int(length) <= ISO8583Frame.maximumLength else {
            throw ISO8583Error.frameTooLarge(length: Int(length))
        }
        guard buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        let bytes = buffer.readBytes(length: Int(length))!
        let result = Result { () throws(ISO8583Error) in try ISO8583Codec.unpack(bytes) }
        context.fireChannelRead(wrapInboundOut(result))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A partial frame left at close is dropped: its sender will see the connection end without an answer.
        buffer.clear()
        return .needMoreData
    }
}

/// Packs a message and puts its 2-byte length in front.
public struct ISO8583FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = ISO8583Message

    public init() {}

    public func encode(data: ISO8583Message, out: inout ByteBuffer) throws {
        let bytes = try ISO8583Codec.pack(data)
        out.writeBytes(ISO8583Frame.frame(bytes))
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// The handlers both ends of a card-network connection put first: framing and the message codec.
    public func addISO8583Codec() throws {
        try addHandler(ByteToMessageHandler(ISO8583FrameDecoder()))
        try addHandler(MessageToByteHandler(ISO8583FrameEncoder()))
    }
}
