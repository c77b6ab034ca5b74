/// Element 48 of KeyIn's key-in messages: sub-elements, each a 2-digit tag, a 2-digit length and the value.
public struct AdditionalData: Hashable, Sendable {
    public enum Tag: String, CaseIterable, Sendable {
        /// CVC2, 3 or 4 digits.
        case cvc2 = "01"
        /// Birth date `YYMMDD` or 10-digit business registration number.
        case customerIdentity = "02"
        /// The first 2 digits of the card password.
        case cardPasswordDigits = "03"
        /// Installment months, 2 digits: `00` is pay in full.
        case installmentMonths = "04"
        /// 3-D Secure authentication value (CAVV).
        case authenticationValue = "05"
        /// Electronic commerce indicator, 2 digits.
        case eci = "06"
        /// The RRN of the authorization or sale a capture or refund refers to.
        case originalRRN = "07"
        /// In a response code 91: when the card company's maintenance window ends, Asia/Seoul `YYMMDDhhmm`.
        case maintenanceEnd = "08"
        /// The 3-D Secure transaction the authentication value belongs to: the XID (3-D Secure 1) or the directory
        /// server's transaction id (3-D Secure 2).
        case authenticationTransactionID = "09"
        /// `1` when the merchant pays the installment interest (무이자 할부): the card company charges the
        /// cardholder none.
        case merchantPaysInterest = "10"

        /// Sub-elements that are card secrets or 3-D Secure authentication data: never logged.
        var isSecret: Bool {
            switch self {
            case .cvc2, .customerIdentity, .cardPasswordDigits, .authenticationValue, .eci,
                .authenticationTransactionID:
                true
            case .installmentMonths, .originalRRN, .maintenanceEnd, .merchantPaysInterest: false
            }
        }
    }

    /// Values in tag order.
    public private(set) var values: [Tag: String]

    public init(_ values: [Tag: String] = [:]) {
        self.values = values
    }

    public subscript(tag: Tag) -> String? {
        get { values[tag] }
        set { values[tag] = newValue }
    }

    public var isEmpty: Bool { values.isEmpty }

    /// The element 48 text: sub-elements in ascending tag order.
    public var encoded: String {
        Tag.allCases.compactMap { tag in
            values[tag].map { value in
                tag.rawValue + (value.utf8.count < 10 ? "0" : "") + String(value.utf8.count) + value
            }
        }.joined()
    }

    /// Reads element 48. Unknown tags are an error: their meaning cannot be guessed.
    public init(parsing text: String) throws(ISO8583Error) {
        let bytes = Array(text.utf8)
        var index = 0
        var values: [Tag: String] = [:]
        while index < bytes.count {
            guard bytes.count - index >= 4,
                let length = ISO8583Codec.decimal(bytes[index + 2..<index + 4])
            else { throw .malformedSubElement(element: .additionalData) }
            let tagText = String(decoding: bytes[index..<index + 2], as: UTF8.self)
            guard let tag = Tag(rawValue: tagText) else { throw .unknownSubElement(tag: tagText) }
            index += 4
            guard bytes.count - index >= length, values[tag] == nil else {
                throw .malformedSubElement(element: .additionalData)
            }
            values[tag] = String(decoding: bytes[index..<index + length], as: UTF8.self)
            index += length
        }
        self.values = values
    }

    /// The sub-elements with secrets replaced by their length, for logs.
    var redacted: String {
        Tag.allCases.compactMap { tag in
            values[tag].map { "\(tag.rawValue):" + (tag.isSecret ? String(repeating: "*", count: $0.count) : $0) }
        }.joined(separator: ",")
    }
}
