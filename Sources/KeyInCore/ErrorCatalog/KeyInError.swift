import Foundation

/// A failure as KeyIn reports it: a catalog code plus what this occurrence adds (the field at fault, when to
/// retry). It never carries card data, so it is safe to log and to return.
public struct KeyInError: Error, Hashable, Sendable {
    public let code: ErrorCode
    /// The request field at fault, e.g. `cardNumber`.
    public var param: String?
    /// When the same request can succeed: the end of a maintenance window, or the moment a pause lifts.
    public var retryAt: Date?
    /// A merchant-facing detail, e.g. the card company's raw response code. Never card data.
    public var detail: String?

    public init(_ code: ErrorCode, param: String? = nil, retryAt: Date? = nil, detail: String? = nil) {
        self.code = code
        self.param = param
        self.retryAt = retryAt
        self.detail = detail
    }

    public var entry: CatalogEntry { code.entry }

    /// The customer message with `{retryAt}` filled in as Seoul wall-clock time (`00:10`), or, when the time is
    /// unknown, with words that still read naturally.
    public var customerMessage: LocalizedText {
        let retryAtText =
            retryAt.map { date in
                let time = SeoulTime.hourMinute(date)
                return LocalizedText(ko: time, en: "\(time) (Korea time)")
            } ?? LocalizedText(ko: "점검이 끝난", en: "the maintenance ends")
        return entry.customerMessage.filling(["retryAt": retryAtText])
    }

    /// Seconds until the same request may succeed, or nil when waiting does not help.
    public func retryAfterSeconds(now: Date) -> Int? {
        if let retryAt { return max(0, Int((retryAt.timeIntervalSince(now)).rounded(.up))) }
        if case .afterDelay(let seconds) = entry.retry { return seconds }
        return nil
    }
}

extension KeyInError: CustomStringConvertible {
    public var description: String {
        var text = code.rawValue
        if let param { text += " (\(param))" }
        if let detail { text += ": \(detail)" }
        return text
    }
}

/// Wall-clock time in Korea, where merchants and card companies keep their hours.
public enum SeoulTime {
    public static let timeZone = TimeZone(identifier: "Asia/Seoul")!

    public static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// `HH:mm` in Seoul.
    public static func hourMinute(_ date: Date) -> String {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }
}
