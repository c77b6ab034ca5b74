/// Why bytes could not be read as, or a message could not be written as, an ISO 8583 message.
public enum ISO8583Error: Error, Hashable, Sendable {
    /// The bytes ended before the message did.
    case truncated(expected: Int, available: Int)
    case invalidMessageType
    case invalidBitmap
    /// A bit is set for an element KeyIn's format does not define, so its length cannot be known.
    case unsupportedElement(number: Int)
    case invalidLengthPrefix(element: DataElement)
    case invalidLength(element: DataElement, length: Int)
    case invalidContent(element: DataElement)
    /// Bytes left after the last element.
    case trailingBytes(count: Int)
    case malformedSubElement(element: DataElement)
    case unknownSubElement(tag: String)
    /// A frame's length prefix says more than KeyIn accepts in one message.
    case frameTooLarge(length: Int)
}
