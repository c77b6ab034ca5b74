import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInPersistence

/// The dashboard's numbers, counted by the database from a merchant's payments: volume and approval rate today and this week (Seoul),
/// and this week's failures by the four kinds merchants see and by card company.
package struct DashboardFigures {
    package struct Period {
        package let approvedAmount: Int64
        package let approvedCount: Int
        package let failedCount: Int
        package var approvalRate: Double? {
            approvedCount + failedCount == 0 ? nil : Double(approvedCount) / Double(approvedCount + failedCount)
        }
    }

    package let today: Period
    package let week: Period
    /// Failures this week by category, the four merchant-facing kinds first.
    package let failuresByCategory: [(category: ErrorCategory, count: Int)]
    /// Failures this week by card company code ("" when the company is unknown).
    package let failuresByCompany: [(code: String, count: Int)]

    package static let merchantCategories: [ErrorCategory] = [.cardInfo, .network, .cardCompanyPolicy, .maintenance]

    /// Monday 00:00 in Seoul of the week holding `date`, and that day's 00:00.
    package static func periodStarts(of date: Date) -> (day: Date, week: Date) {
        let calendar = SeoulTime.calendar
        let day = calendar.startOfDay(for: date)
        let weekday = calendar.component(.weekday, from: day)  // 1 = Sunday
        let week = calendar.date(byAdding: .day, value: -((weekday + 5) % 7), to: day) ?? day
        return (day, week)
    }

    package typealias Tally = PaymentTally

    /// Counts the merchant's payments of this week in the database (one grouped query, however many there are).
    package static func load(merchantID: MerchantID, mode: PaymentMode, now: Date, from store: DashboardStore)
        async throws
        -> DashboardFigures
    {
        let starts = periodStarts(of: now)
        return DashboardFigures(
            tallies: try await store.tallies(of: merchantID, mode: mode, dayStart: starts.day, weekStart: starts.week))
    }

    package init(tallies: [Tally]) {
        func period(_ tallies: [Tally]) -> Period {
            let approved = tallies.filter(\.isApproved)
            return Period(
                approvedAmount: approved.reduce(0) { $0 + $1.amount },
                approvedCount: approved.reduce(0) { $0 + $1.payments },
                failedCount: tallies.filter { $0.status == .aborted }.reduce(0) {
                    $0 + $1.payments
                })
        }
        today = period(tallies.filter(\.isToday))
        week = period(tallies)
        let failures = tallies.filter { $0.status == .aborted }
        var byCategory: [ErrorCategory: Int] = [:]
        for failure in failures {
            guard let category = failure.failureCode.flatMap(ErrorCode.init(rawValue:))?.entry.category else {
                continue
            }
            byCategory[category, default: 0] += failure.payments
        }
        failuresByCategory =
            Self.merchantCategories.map { ($0, byCategory[$0] ?? 0) }
            + ErrorCategory.allCases.filter { !Self.merchantCategories.contains($0) }
            .map { ($0, byCategory[$0] ?? 0) }.filter { $0.1 > 0 }
        var byCompany: [String: Int] = [:]
        for failure in failures { byCompany[failure.cardCompanyCode ?? "", default: 0] += failure.payments }
        failuresByCompany = byCompany.map { ($0.key, $0.value) }.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
    }
}

/// A horizontal bar chart as inline SVG, each bar a link to the payments behind it. Rendered on the server:
/// no chart library, and readable by a screen reader (a title per bar).
package struct BarChart {
    package struct Bar {
        package let label: String
        package let value: Int
        package let link: String
    }

    package let title: String
    package let bars: [Bar]

    package var html: HTML {
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
