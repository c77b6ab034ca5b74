/// The four-digit message type of ISO 8583:1987, e.g. `0200` for a financial request.
public struct MessageTypeIndicator: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts exactly four ASCII digits.
    public init?(rawValue: String) {
        guard rawValue.utf8.count == 4, rawValue.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        self.rawValue = rawValue
    }

    private init(_ literal: String) { self.rawValue = literal }

    /// Authorization only: the card company holds the amount until a capture (0220) or a reversal.
    public static let authorizationRequest = MessageTypeIndicator("0100")
    public static let authorizationResponse = MessageTypeIndicator("0110")
    /// Sale (authorize and capture), and with processing code 200000 a refund.
    public static let financialRequest = MessageTypeIndicator("0200")
    public static let financialResponse = MessageTypeIndicator("0210")
    /// Capture of an earlier authorization.
    public static let financialAdvice = MessageTypeIndicator("0220")
    public static let financialAdviceResponse = MessageTypeIndicator("0230")
    public static let reversalRequest = MessageTypeIndicator("0400")
    /// A reversal sent again because no answer came to the first.
    public static let reversalRepeat = MessageTypeIndicator("0401")
    public static let reversalResponse = MessageTypeIndicator("0410")
    public static let networkManagementRequest = MessageTypeIndicator("0800")
    public static let networkManagementResponse = MessageTypeIndicator("0810")

    /// The response type for a request: the third digit goes up by one (`0200` → `0210`, `0401` → `0410`).
    public var response: MessageTypeIndicator {
        var digits = Array(rawValue.utf8)
        digits[2] = digits[2] == 0x39 ? 0x39 : digits[2] + 1
        digits[3] = 0x30
        return MessageTypeIndicator(String(decoding: digits, as: UTF8.self))
    }

    /// Whether this is a response (third digit odd), as opposed to a request or advice.
    public var isResponse: Bool { (Array(rawValue.utf8)[2] - 0x30) % 2 == 1 }

    public var description: String { rawValue }
}
