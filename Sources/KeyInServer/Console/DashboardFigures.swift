import Foundation
import KeyInCore

/// The dashboard's numbers, from a merchant's payments: volume and approval rate today and this week (Seoul),
/// and this week's failures by the four kinds merchants see and by card company.
struct DashboardFigures {
    struct Period {
        let approvedAmount: Int64
        let approvedCount: Int
        let failedCount: Int
        var approvalRate: Double? {
            approvedCount + failedCount == 0 ? nil : Double(approvedCount) / Double(approvedCount + failedCount)
        }
    }

    let today: Period
    let week: Period
    /// Failures this week by category, the four merchant-facing kinds first.
    let failuresByCategory: [(category: ErrorCategory, count: Int)]
    /// Failures this week by card company code ("" when the company is unknown).
    let failuresByCompany: [(code: String, count: Int)]

    static let merchantCategories: [ErrorCategory] = [.cardInfo, .network, .cardCompanyPolicy, .maintenance]

    /// Monday 00:00 in Seoul of the week holding `date`, and that day's 00:00.
    static func periodStarts(of date: Date) -> (day: Date, week: Date) {
        let calendar = SeoulTime.calendar
        let day = calendar.startOfDay(for: date)
        let weekday = calendar.component(.weekday, from: day)  // 1 = Sunday
        let week = calendar.date(byAdding: .day, value: -((weekday + 5) % 7), to: day) ?? day
        return (day, week)
    }

    init(payments: [PaymentModel], now: Date) {
        let starts = Self.periodStarts(of: now)
        func period(from start: Date) -> Period {
            let inPeriod = payments.filter { $0.requestedAt >= start }
            let approved = inPeriod.filter { $0.approveNo != nil }
            return Period(
                approvedAmount: approved.reduce(0) { $0 + $1.totalAmount }, approvedCount: approved.count,
                failedCount: inPeriod.filter { $0.status == PaymentStatus.aborted.rawValue }.count)
        }
        today = period(from: starts.day)
        week = period(from: starts.week)
        let failures = payments.filter { $0.requestedAt >= starts.week && $0.status == PaymentStatus.aborted.rawValue }
        let categories = failures.compactMap { $0.failureCode.flatMap(ErrorCode.init(rawValue:))?.entry.category }
        failuresByCategory =
            Self.merchantCategories.map { category in (category, categories.filter { $0 == category }.count) }
            + ErrorCategory.allCases.filter { !Self.merchantCategories.contains($0) }
            .map { category in (category, categories.filter { $0 == category }.count) }.filter { $0.1 > 0 }
        failuresByCompany = Dictionary(grouping: failures, by: { $0.cardCompanyCode ?? "" })
            .map { ($0.key, $0.value.count) }.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
    }
}

/// A horizontal bar chart as inline SVG, each bar a link to the payments behind it. Rendered on the server:
/// no chart library, and readable by a screen reader (a title per bar).
struct BarChart {
    struct Bar {
        let label: String
        let value: Int
        let link: String
    }

    let title: String
    let bars: [Bar]

    var html: HTML {
        let rowHeight = 28
        let labelWidth = 150
        let width = 460
        let maximum = max(1, bars.map(\.value).max() ?? 1)
        let rows: [HTML] = bars.enumerated().map { index, bar in
            let y = index * rowHeight
            let length = Int(Double(width - labelWidth - 40) * Double(bar.value) / Double(maximum))
            return """
                <a href="\(bar.link)"><g class="bar"><title>\(bar.label): \(bar.value)</title>
                <text x="0" y="\(y + 18)">\(bar.label)</text>
                <rect x="\(labelWidth)" y="\(y + 5)" width="\(max(length, bar.value > 0 ? 2 : 0))" height="18" rx="3"></rect>
                <text x="\(labelWidth + length + 6)" y="\(y + 18)" class="value">\(bar.value)</text></g></a>
                """
        }
        return """
            <figure class="chart"><figcaption>\(title)</figcaption>
            <svg role="img" aria-label="\(title)" viewBox="0 0 \(width) \(max(1, bars.count) * rowHeight)" width="100%">\(rows)</svg>
            </figure>
            """
    }
}
