/// Writes and reads KeyIn's ISO 8583 wire format: the 4-digit message type, the primary bitmap as 16 uppercase
/// hex characters (and the secondary likewise when any element 65–128 is present), then each element in
/// ascending order as ASCII, variable ones after a 2- or 3-digit length.
///
/// The 2-byte big-endian frame length in front of each message is the transport's job (see `ISO8583Frame`).
public enum ISO8583Codec {
    /// Packs a message, checking every element against the specification table.
    public static func pack(_ message: ISO8583Message) throws(ISO8583Error) -> [UInt8] {
        let formats = ElementSpecification.wireFormats
        let fields = message.fields
        // Fields are kept in ascending order: the bitmap is one pass.
        let hasSecondary = (fields.last?.element.rawValue ?? 0) > 64
        // Bit 1 of the primary bitmap announces the secondary one.
        var primary: UInt64 = hasSecondary ? 1 << 63 : 0
        var secondary: UInt64 = 0
        // The exact size first, so the message is written into one allocation with no capacity checks.
        var size = 4 + (hasSecondary ? 32 : 16)
        for field in fields {
            let number = field.element.rawValue
            if number <= 64 {
                primary |= 1 << UInt64(64 - number)
            } else {
                secondary |= 1 << UInt64(128 - number)
            }
            // Every case of DataElement has a row; the table test checks it.
            size += formats[number]!.length.prefixWidth + field.value.utf8.count
        }
        var failure: ISO8583Error?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var writer = Writer(next: buffer.baseAddress!)
            for byte in message.mti.rawValue.utf8 { writer.write(byte) }
            writer.writeHex(primary)
            if hasSecondary { writer.writeHex(secondary) }
            for field in fields {
                do throws(ISO8583Error) {
                    try writer.write(field, formats[field.element.rawValue]!)
                } catch {
                    failure = error
                    break
                }
            }
            // Bytes are trivial: a failed message is dropped whole, however far it got.
            initialized = failure == nil ? size : 0
        }
        if let failure { throw failure }
        return bytes
    }

    /// Writes a message into room sized for it exactly (`pack` counts first).
    private struct Writer {
        var next: UnsafeMutablePointer<UInt8>

        mutating func write(_ byte: UInt8) {
            next.initialize(to: byte)
            next += 1
        }

        /// 16 uppercase hex digits, computed rather than looked up (a global table costs a lazy-initialization
        /// check on every use).
        mutating func writeHex(_ value: UInt64) {
            for shift in stride(from: 60, through: 0, by: -4) {
                let nibble = UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 0xF
                write(nibble < 10 ? 0x30 + nibble : 0x37 + nibble)
            }
        }

        /// `value` as `width` ASCII digits (it fits: lengths are checked against their maximum first).
        mutating func writeDecimal(_ value: Int, width: Int) {
            var divisor = width == 3 ? 100 : 10
            while divisor > 0 {
                write(0x30 + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }

        /// One element: its characters checked, then its length, then a variable one's prefix and the value.
        mutating func write(_ field: ISO8583Message.Field, _ format: WireFormat) throws(ISO8583Error) {
            let element = field.element
            // Native strings are contiguous UTF-8: checked and copied straight from their storage.
            try withBuffer(of: field.value.utf8) { (value) throws(ISO8583Error) in try write(value, of: element, format)
            }
        }

        private mutating func write(_ value: UnsafeBufferPointer<UInt8>, of element: DataElement, _ format: WireFormat)
            throws(ISO8583Error)
        {
            for byte in value where !format.content.allows(byte) {
                throw .invalidContent(element: element)
            }
            let count = value.count
            switch format.length {
            case .fixed(let length):
                guard count == length else { throw .invalidLength(element: element, length: count) }
            case .llvar(let maximum):
                guard count <= maximum else { throw .invalidLength(element: element, length: count) }
                writeDecimal(count, width: 2)
            case .lllvar(let maximum):
                guard count <= maximum else { throw .invalidLength(element: element, length: count) }
                writeDecimal(count, width: 3)
            }
            if let base = value.baseAddress { next.initialize(from: base, count: count) }
            next += count
        }
    }

    /// Reads one message occupying all of `bytes`. Any malformed input is a typed error, never a crash.
    public static func unpack(_ bytes: some Collection<UInt8>) throws(ISO8583Error) -> ISO8583Message {
        // Read in place when the bytes are contiguous (an array, a frame's buffer).
        try withBuffer(of: bytes) { (buffer) throws(ISO8583Error) in try unpack(contiguous: buffer) }
    }

    /// Runs `body` on `bytes` in place when they are contiguous, else on a copy.
    private static func withBuffer<Result>(
        of bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws(ISO8583Error) -> Result
    ) throws(ISO8583Error) -> Result {
        let inPlace = bytes.withContiguousStorageIfAvailable { buffer in
            Swift.Result { () throws(ISO8583Error) in try body(buffer) }
        }
        if let inPlace { return try inPlace.get() }
        return try Array(bytes).withUnsafeBufferPointer { (buffer) throws(ISO8583Error) in try body(buffer) }
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

        let formats = ElementSpecification.wireFormats
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
                let specification = formats[number]!
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
