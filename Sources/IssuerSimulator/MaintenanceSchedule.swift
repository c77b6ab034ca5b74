import Foundation
import KeyInCore

/// Decides whether a card company is in its daily maintenance window, and when the window ends.
struct MaintenanceSchedule: Sendable {
    let windows: [IssuerConfiguration.MaintenanceWindow]

    /// Minutes after midnight for `HH:mm`.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]),
            let minute = Int(parts[1]),
            (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        return hour * 60 + minute
    }

    /// The end of the window `company` is in at `date`, or nil when it is open for business.
    func windowEnd(company: String, at date: Date) -> Date? {
        let calendar = SeoulTime.calendar
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let now = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        for window in windows where window.company == company {
            guard let start = Self.minutes(window.start), let end = Self.minutes(window.end) else { continue }
            let inside = start <= end ? (now >= start && now < end) : (now >= start || now < end)
            guard inside else { continue }
            let startOfDay = calendar.startOfDay(for: date)
            // A window that crosses midnight and has not yet reached it ends tomorrow.
            let dayOffset = start > end && now >= start ? 1 : 0
            return calendar.date(byAdding: .minute, value: dayOffset * 1440 + end, to: startOfDay)
        }
        return nil
    }
}
