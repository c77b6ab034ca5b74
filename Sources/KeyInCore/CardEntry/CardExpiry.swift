import Foundation

/// The month a card stops working after. A card is good through the last day of that month, Seoul time.
public struct CardExpiry: Hashable, Sendable {
    /// Four-digit year, e.g. 2029.
    public let year: Int
    /// 1–12.
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (1...12).contains(month), (2000...2099).contains(year) else { return nil }
        self.year = year
        self.month = month
    }

    /// Reads `MM/YY`, `MMYY`, `MM/YYYY` and `M/YY` (spaces around the slash allowed). Two-digit years are 20YY.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let monthText: Substring
        let yearText: Substring
        if let slash = trimmed.firstIndex(of: "/") {
            monthText = Substring(trimmed[..<slash].trimmingCharacters(in: .whitespaces))
            yearText = Substring(trimmed[trimmed.index(after: slash)...].trimmingCharacters(in: .whitespaces))
            guard (1...2).contains(monthText.count), [2, 4].contains(yearText.count) else { return nil }
        } else {
            guard trimmed.count == 4 else { return nil }
            monthText = trimmed.prefix(2)
            yearText = trimmed.suffix(2)
        }
        guard monthText.allSatisfy({ $0.asciiDigitValue != nil }), yearText.allSatisfy({ $0.asciiDigitValue != nil }),
            let month = Int(monthText), let year = Int(yearText)
        else { return nil }
        self.init(year: yearText.count == 2 ? 2000 + year : year, month: month)
    }

    public enum Status: Equatable, Sendable {
        case valid
        case expired
        /// More than 20 years ahead: no card is issued that long, so it is a typing mistake.
        case implausiblyFarAhead
    }

    public static let longestValidityInMonths = 240

    public func status(at now: Date) -> Status {
        let today = SeoulTime.calendar.dateComponents([.year, .month], from: now)
        let monthsAhead = (year * 12 + month) - ((today.year ?? 0) * 12 + (today.month ?? 0))
        if monthsAhead < 0 { return .expired }
        if monthsAhead > CardExpiry.longestValidityInMonths { return .implausiblyFarAhead }
        return .valid
    }

    /// `YYMM`, as ISO 8583 element 14 carries it.
    public var yymm: String { String(format: "%02d%02d", year % 100, month) }

    /// Reads `yymm` back (20YY).
    public init?(yymm text: String) {
        guard text.count == 4, let year = Int(text.prefix(2)), let month = Int(text.suffix(2)) else { return nil }
        self.init(year: 2000 + year, month: month)
    }

    /// `MM/YY`, as printed on the card.
    public var display: String { String(format: "%02d/%02d", month, year % 100) }
}
