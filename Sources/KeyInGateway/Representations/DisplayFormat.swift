import Foundation
import KeyInCore

/// Amounts and times as people read them on a page, a receipt or a text message.
package enum DisplayFormat {
    /// `15,000원` / `KRW 15,000`; currencies with minor units show them (`USD 12.50`).
    package static func amount(_ minorUnits: Int64, currency code: String, language: Language) -> String {
        let currency = Currency(code: code) ?? .krw
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.usesGroupingSeparator = true
        formatter.groupingSeparator = ","
        formatter.minimumFractionDigits = currency.minorUnitDigits
        formatter.maximumFractionDigits = currency.minorUnitDigits
        var divisor = 1.0
        for _ in 0..<currency.minorUnitDigits { divisor *= 10 }
        let number =
            formatter.string(from: NSNumber(value: Double(minorUnits) / divisor)) ?? String(minorUnits)
        if currency.code == "KRW" && language == .korean { return "\(number)원" }
        return "\(currency.code) \(number)"
    }

    /// `2026년 11월 27일 21:05` / `27 Nov 2026 21:05 KST`, in Seoul time.
    package static func time(_ date: Date, language: Language) -> String {
        let parts = SeoulTime.calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let clock = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        switch language {
        case .korean:
            return "\(parts.year ?? 0)년 \(parts.month ?? 0)월 \(parts.day ?? 0)일 \(clock)"
        case .english:
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            return "\(parts.day ?? 0) \(months[max(0, (parts.month ?? 1) - 1)]) \(parts.year ?? 0) \(clock) KST"
        }
    }

    /// `일시불` / `3개월` (or in English).
    package static func installment(_ months: Int, language: Language) -> String {
        switch (language, months) {
        case (.korean, 0): "일시불"
        case (.korean, _): "\(months)개월"
        case (.english, 0): "Single payment"
        case (.english, _): "\(months) months"
        }
    }
}
