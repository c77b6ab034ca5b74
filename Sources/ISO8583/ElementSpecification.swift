/// How one data element is written on the wire. Every element is ASCII.
public struct ElementSpecification: Sendable {
    public enum Length: Sendable, Equatable {
        /// Always exactly this many characters.
        case fixed(Int)
        /// A 2-digit length prefix, then up to this many characters.
        case llvar(maximum: Int)
        /// A 3-digit length prefix, then up to this many characters.
        case lllvar(maximum: Int)

        /// How many digits the length prefix takes on the wire.
        var prefixWidth: Int {
            switch self {
            case .fixed: 0
            case .llvar: 2
            case .lllvar: 3
            }
        }
    }

    /// Which characters the element may hold.
    public enum Content: Sendable, Equatable {
        /// `n`: digits only.
        case numeric
        /// `an`: letters and digits.
        case alphanumeric
        /// `ans`: any printable ASCII, including space.
        case alphanumericSpecial

        func allows(_ byte: UInt8) -> Bool {
            switch self {
            case .numeric: byte >= 0x30 && byte <= 0x39
            case .alphanumeric:
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            case .alphanumericSpecial: byte >= 0x20 && byte <= 0x7E
            }
        }
    }

    public let element: DataElement
    public let name: String
    public let length: Length
    public let content: Content

    /// The one table of element formats, ISO 8583:1987.
    public static let table: [DataElement: ElementSpecification] = {
        let specifications: [ElementSpecification] = [
            .init(.primaryAccountNumber, "Primary account number", .llvar(maximum: 19), .numeric),
            .init(.processingCode, "Processing code", .fixed(6), .numeric),
            .init(.amount, "Amount, transaction (minor units)", .fixed(12), .numeric),
            .init(.transmissionDateTime, "Transmission date and time (UTC MMDDhhmmss)", .fixed(10), .numeric),
            .init(.systemTraceAuditNumber, "System trace audit number", .fixed(6), .numeric),
            .init(.localTime, "Time, local transaction (Asia/Seoul hhmmss)", .fixed(6), .numeric),
            .init(.localDate, "Date, local transaction (Asia/Seoul MMDD)", .fixed(4), .numeric),
            .init(.expirationDate, "Date, expiration (YYMM)", .fixed(4), .numeric),
            .init(.posEntryMode, "Point of service entry mode", .fixed(3), .numeric),
            .init(.posConditionCode, "Point of service condition code", .fixed(2), .numeric),
            .init(.retrievalReferenceNumber, "Retrieval reference number", .fixed(12), .alphanumeric),
            .init(.approvalCode, "Authorization identification response (approval code)", .fixed(6), .alphanumeric),
            .init(.responseCode, "Response code", .fixed(2), .alphanumeric),
            .init(.terminalID, "Card acceptor terminal identification", .fixed(8), .alphanumericSpecial),
            .init(.merchantID, "Card acceptor identification code", .fixed(15), .alphanumericSpecial),
            .init(
                .additionalData, "Additional data, private (sub-elements)", .lllvar(maximum: 999), .alphanumericSpecial),
            .init(.currencyCode, "Currency code, transaction (ISO 4217 numeric)", .fixed(3), .numeric),
            .init(.networkManagementCode, "Network management information code", .fixed(3), .numeric),
            .init(.originalDataElements, "Original data elements", .fixed(42), .numeric),
        ]
        return Dictionary(uniqueKeysWithValues: specifications.map { ($0.element, $0) })
    }()

    public static func of(_ element: DataElement) -> ElementSpecification {
        // Every case of DataElement has a row; the table test checks it.
        table[element]!
    }

    /// What the codec reads of each element, by element number: an index, not a hash, and plain values (no name),
    /// so reading a row on every element packed and unpacked copies no reference.
    static let wireFormats: [WireFormat?] = {
        var rows = [WireFormat?](repeating: nil, count: 129)
        for (element, specification) in table {
            rows[element.rawValue] = WireFormat(length: specification.length, content: specification.content)
        }
        return rows
    }()

    private init(_ element: DataElement, _ name: String, _ length: Length, _ content: Content) {
        self.element = element
        self.name = name
        self.length = length
        self.content = content
    }
}

/// An element's length rule and characters, as the codec applies them.
struct WireFormat: Sendable {
    let length: ElementSpecification.Length
    let content: ElementSpecification.Content
}
