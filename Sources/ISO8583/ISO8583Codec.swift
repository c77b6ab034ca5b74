/// Writes and reads KeyIn's ISO 8583 wire format: the 4-digit message type, the primary bitmap as 16 uppercase
/// hex characters (and the secondary likewise when any element 65–128 is present), then each element in
/// ascending order as ASCII, variable ones after a 2- or 3-digit length.
///
/// The 2-byte big-endian frame length in front of each message is the transport's job (see `ISO8583Frame`).
public enum ISO8583Codec {
    /// Packs a message, checking every element against the specification table.
    public static func pack(_ message: ISO8583Message) throws(ISO8583Error) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes.append(contentsOf: message.mti.rawValue.utf8)
        // Fields are kept in ascending order: the bitmap is one pass.
        let hasSecondary = (message.fields.last?.element.rawValue ?? 0) > 64
        // Bit 1 of the primary bitmap announces the secondary one.
        var primary: UInt64 = hasSecondary ? 1 << 63 : 0
        var secondary: UInt64 = 0
        for field in message.fields {
            let number = field.element.rawValue
            if number <= 64 {
                primary |= 1 << UInt64(64 - number)
            } else {
                secondary |= 1 << UInt64(128 - number)
            }
        }
        appendHex(primary, to: &bytes)
        if hasSecondary { appendHex(secondary, to: &bytes) }

        for field in message.fields {
            let element = field.element
            let specification = ElementSpecification.of(element)
            // Native strings are contiguous UTF-8: checked and copied straight from their storage.
            let appended =
                field.value.utf8.withContiguousStorageIfAvailable { value in
                    Result { () throws(ISO8583Error) in try append(value, of: element, specification, to: &bytes) }
                }
                ?? Array(field.value.utf8).withUnsafeBufferPointer { value in
                    Result { () throws(ISO8583Error) in try append(value, of: element, specification, to: &bytes) }
                }
            try appended.get()
        }
        return bytes
    }

    /// One element's length prefix (a variable one's) and value, checked against its specification.
    private static func append(
        _ value: UnsafeBufferPointer<UInt8>, of element: DataElement, _ specification: ElementSpecification,
        to bytes: inout [UInt8]
    ) throws(ISO8583Error) {
        for byte in value where !specification.content.allows(byte) {
            throw .invalidContent(element: element)
        }
        let count = value.count
        switch specification.length {
        case .fixed(let length):
            guard count == length else { throw .invalidLength(element: element, length: count) }
        case .llvar(let maximum):
            guard count <= maximum else { throw .invalidLength(element: element, length: count) }
            appendDecimal(count, width: 2, to: &bytes)
        case .lllvar(let maximum):
            guard count <= maximum else { throw .invalidLength(element: element, length: count) }
            appendDecimal(count, width: 3, to: &bytes)
        }
        bytes.append(contentsOf: value)
    }

    /// Reads one message occupying all of `bytes`. Any malformed input is a typed error, never a crash.
    public static func unpack(_ bytes: some Collection<UInt8>) throws(ISO8583Error) -> ISO8583Message {
        // Read in place when the bytes are contiguous (an array, a frame's buffer), else from a copy.
        let result: Result<ISO8583Message, ISO8583Error>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(ISO8583Error) in try unpack(contiguous: buffer) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { (buffer) throws(ISO8583Error) in
            try unpack(contiguous: buffer)
        }
    }

    private static func unpack(contiguous bytes: UnsafeBufferPointer<UInt8>) throws(ISO8583Error) -> ISO8583Message {
        var reader = Reader(bytes: bytes)
        guard let mti = MessageTypeIndicator(rawValue: String(decoding: try reader.take(4), as: UTF8.self)) else {
            throw .invalidMessageType
        }
        var primary = try reader.hex64()
        var secondary: UInt64 = 0
        if primary & (1 << 63) != 0 {
            secondary = try reader.hex64()
            primary &= ~(1 << 63)
        }

        var message = ISO8583Message(mti: mti)
        message.reserveFields(primary.nonzeroBitCount + secondary.nonzeroBitCount)
        // Bit n (from the left, 1-based) of the two bitmaps is element n: read them from the highest bit down.
        for half in 0..<2 {
            let first = half == 0 ? 1 : 65
            var rest = half == 0 ? primary : secondary
            while rest != 0 {
                let number = first + rest.leadingZeroBitCount
                rest &= ~(UInt64(1) << UInt64(63 - rest.leadingZeroBitCount))
                guard let element = DataElement(rawValue: number) else { throw .unsupportedElement(number: number) }
                let specification = ElementSpecification.of(element)
                let length: Int
                switch specification.length {
                case .fixed(let fixed):
                    length = fixed
                case .llvar(let maximum), .lllvar(let maximum):
                    let width = specification.length == .llvar(maximum: maximum) ? 2 : 3
                    guard let declared = decimal(try reader.take(width)) else {
                        throw .invalidLengthPrefix(element: element)
                    }
                    guard declared <= maximum else { throw .invalidLength(element: element, length: declared) }
                    length = declared
                }
                let value = try reader.take(length)
                for byte in value where !specification.content.allows(byte) {
                    throw .invalidContent(element: element)
                }
                // The bitmap gives the elements in ascending order.
                message.appendInOrder(element, String(decoding: value, as: UTF8.self))
            }
        }
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
        return message
    }

    /// The value of ASCII digits, or nil when any byte is not a digit.
    static func decimal(_ digits: some Collection<UInt8>) -> Int? {
        var value = 0
        for byte in digits {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return digits.isEmpty ? nil : value
    }

    /// `value` as `width` ASCII digits, zero-padded (the value fits: lengths are checked against their maximum).
    private static func appendDecimal(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        var divisor = width == 3 ? 100 : 10
        while divisor > 0 {
            bytes.append(0x30 + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func appendHex(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 60, through: 0, by: -4) {
            bytes.append(hexDigits[Int((value >> UInt64(shift)) & 0xF)])
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var offset = 0

        var remaining: Int { bytes.count - offset }

        mutating func take(_ count: Int) throws(ISO8583Error) -> UnsafeBufferPointer<UInt8> {
            guard remaining >= count else { throw .truncated(expected: offset + count, available: bytes.count) }
            defer { offset += count }
            return UnsafeBufferPointer(rebasing: bytes[offset..<offset + count])
        }

        /// 16 uppercase hex characters. Lowercase is refused: the format says uppercase, and a host that sends
        /// otherwise is not speaking it.
        mutating func hex64() throws(ISO8583Error) -> UInt64 {
            var value: UInt64 = 0
            for byte in try take(16) {
                let nibble: UInt8
                switch byte {
                case 0x30...0x39: nibble = byte - 0x30
                case 0x41...0x46: nibble = byte - 0x41 + 10
                default: throw .invalidBitmap
                }
                value = value << 4 | UInt64(nibble)
            }
            return value
        }
    }
}

/// The 2-byte big-endian length that precedes each message on the TCP stream (not counting those 2 bytes).
public enum ISO8583Frame {
    /// KeyIn's messages are a few hundred bytes; a frame this large is garbage, not a message.
    public static let maximumLength = 8192

    public static func frame(_ message: [UInt8]) -> [UInt8] {
        [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
    }

    /// Splits a byte stream into frames. Returns the complete frames and how many bytes they used; an incomplete
    /// frame at the end waits for more bytes. A declared length above `maximumLength` (or zero) is an error,
    /// after which the stream cannot be trusted.
    public static func split(_ stream: some Collection<UInt8>) throws(ISO8583Error) -> (
        frames: [[UInt8]], consumed: Int
    ) {
        let bytes = Array(stream)
        var frames: [[UInt8]] = []
        var offset = 0
        while bytes.count - offset >= 2 {
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            guard length > 0, length <= maximumLength else { throw .frameTooLarge(length: length) }
            guard bytes.count - offset - 2 >= length else { break }
            frames.append(Array(bytes[offset + 2..<offset + 2 + length]))
            offset += 2 + length
        }
        return (frames, offset)
    }
}
