import Foundation

/// Everything KeyIn says about one failure: who sees what, and whether trying again can help.
public struct CatalogEntry: Sendable {
    public let code: ErrorCode
    public let category: ErrorCategory
    /// The status the API answers with.
    public let httpStatus: Int
    public let retry: RetryRule
    /// For the merchant and the developer: what happened and what the merchant can do about it.
    public let explanation: LocalizedText
    /// For the paying customer: what to do next. May hold `{retryAt}`, filled by `KeyInError`.
    public let customerMessage: LocalizedText

    /// The entry on KeyIn's help pages (`/help/<id>`), one per code.
    public var helpPageID: String { code.rawValue.lowercased().replacingOccurrences(of: "_", with: "-") }

    /// The placeholders a customer message may contain; `KeyInError` knows how to fill each.
    public static let placeholders: Set<String> = ["retryAt"]
}
