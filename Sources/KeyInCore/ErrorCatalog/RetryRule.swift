/// When sending again can succeed.
public enum RetryRule: Hashable, Sendable {
    /// The same request will fail the same way; nothing the caller changes will help.
    case never
    /// Sending again helps only after the named input is corrected (or another card is used).
    case afterCorrection
    /// A passing fault: the same request may succeed after this many seconds.
    case afterDelay(seconds: Int)
    /// The card company is in maintenance: retry when the window ends, carried with the error as `retryAt`.
    case afterMaintenance

    /// Whether the very same request can succeed later without any change.
    public var isRetryable: Bool {
        switch self {
        case .afterDelay, .afterMaintenance: true
        case .never, .afterCorrection: false
        }
    }

    /// A stable token for JSON and tables: `never`, `after_correction`, `after_delay:30`, `after_maintenance`.
    public var token: String {
        switch self {
        case .never: "never"
        case .afterCorrection: "after_correction"
        case .afterDelay(let seconds): "after_delay:\(seconds)"
        case .afterMaintenance: "after_maintenance"
        }
    }

    public var summary: LocalizedText {
        switch self {
        case .never: LocalizedText(ko: "재시도 불가", en: "Do not retry")
        case .afterCorrection: LocalizedText(ko: "입력 수정 후 재시도", en: "Retry after correcting the input")
        case .afterDelay(let seconds):
            LocalizedText(ko: "\(RetryRule.korean(seconds)) 후 재시도", en: "Retry after \(RetryRule.english(seconds))")
        case .afterMaintenance: LocalizedText(ko: "점검 종료 후 재시도", en: "Retry after the maintenance ends")
        }
    }

    static func korean(_ seconds: Int) -> String {
        if seconds % 3600 == 0 { return "\(seconds / 3600)시간" }
        if seconds % 60 == 0 { return "\(seconds / 60)분" }
        return "\(seconds)초"
    }

    static func english(_ seconds: Int) -> String {
        func unit(_ count: Int, _ name: String) -> String { "\(count) \(name)\(count == 1 ? "" : "s")" }
        if seconds % 3600 == 0 { return unit(seconds / 3600, "hour") }
        if seconds % 60 == 0 { return unit(seconds / 60, "minute") }
        return unit(seconds, "second")
    }
}
