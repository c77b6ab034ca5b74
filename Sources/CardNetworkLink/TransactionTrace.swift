import Foundation
import ISO8583
import KeyInCore
import Synchronization

/// What identifies one message to a card company: its STAN, when it was sent, and who sent it. The gateway
/// stores it with the payment before sending, so that after a crash it can reverse exactly that message.
public struct TransactionTrace: Hashable, Sendable, Codable {
    /// Element 11.
    public let systemTraceAuditNumber: String
    /// Element 7, UTC `MMDDhhmmss`.
    public let transmissionDateTime: String
    /// Element 12, Asia/Seoul `hhmmss`.
    public let localTime: String
    /// Element 13, Asia/Seoul `MMDD`.
    public let localDate: String
    /// Element 41, 8 characters.
    public let terminalID: String
    /// Element 42, 15 characters.
    public let merchantID: String

    public init(
        systemTraceAuditNumber: String, transmissionDateTime: String, localTime: String, localDate: String,
        terminalID: String, merchantID: String
    ) {
        self.systemTraceAuditNumber = systemTraceAuditNumber
        self.transmissionDateTime = transmissionDateTime
        self.localTime = localTime
        self.localDate = localDate
        self.terminalID = terminalID
        self.merchantID = merchantID
    }

    /// A trace for a message sent at `date`; terminal and merchant ids are padded with spaces to their widths.
    public init(stan: String, date: Date, terminalID: String, merchantID: String) {
        let utc = TransactionTrace.components(of: date, in: TimeZone(identifier: "UTC")!)
        let seoul = TransactionTrace.components(of: date, in: SeoulTime.timeZone)
        self.init(
            systemTraceAuditNumber: stan,
            transmissionDateTime: utc.monthDay + utc.time,
            localTime: seoul.time,
            localDate: seoul.monthDay,
            terminalID: TransactionTrace.padded(terminalID, to: 8),
            merchantID: TransactionTrace.padded(merchantID, to: 15))
    }

    static func components(of date: Date, in timeZone: TimeZone) -> (monthDay: String, time: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.month, .day, .hour, .minute, .second], from: date)
        return (
            String(format: "%02d%02d", parts.month!, parts.day!),
            String(format: "%02d%02d%02d", parts.hour!, parts.minute!, parts.second!)
        )
    }

    static func padded(_ text: String, to width: Int) -> String {
        let trimmed = String(text.prefix(width))
        return trimmed + String(repeating: " ", count: width - trimmed.count)
    }

    /// Responses are matched to requests by STAN and terminal.
    var matchKey: MatchKey { MatchKey(stan: systemTraceAuditNumber, terminalID: terminalID) }
}

/// How a response finds its request on a connection.
struct MatchKey: Hashable, Sendable {
    let stan: String
    let terminalID: String

    init(stan: String, terminalID: String) {
        self.stan = stan
        self.terminalID = terminalID
    }

    init?(_ message: ISO8583Message) {
        guard let stan = message[.systemTraceAuditNumber], let terminal = message[.terminalID] else { return nil }
        self.init(stan: stan, terminalID: terminal)
    }
}

/// Hands out system trace audit numbers: 000001 to 999999, then round again.
public final class STANGenerator: Sendable {
    private let last: Mutex<Int>

    /// Starts after `seed`; a random seed keeps two processes sharing a terminal id apart for a long while.
    public init(startingAfter seed: Int = Int.random(in: 0..<999_999)) {
        last = Mutex(seed % 999_999)
    }

    public func next() -> String {
        let value = last.withLock { last in
            last = last % 999_999 + 1
            return last
        }
        return String(format: "%06d", value)
    }
}
