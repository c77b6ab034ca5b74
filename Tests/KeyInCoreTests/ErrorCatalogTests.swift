import Foundation
import KeyInCore
import Testing

@Suite("Error catalog")
struct ErrorCatalogTests {
    static func hasHangul(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) }
    }

    @Test("Every entry is complete", arguments: ErrorCatalog.entries.map(\.code))
    func entryIsComplete(code: ErrorCode) {
        let entry = code.entry
        #expect(code.rawValue.wholeMatch(of: #/[A-Z][A-Z0-9]*(_[A-Z0-9]+)*/#) != nil)
        #expect((400..<600).contains(entry.httpStatus))
        for text in [entry.explanation, entry.customerMessage] {
            #expect(Self.hasHangul(text.ko), "Korean text of \(code) has no Korean")
            #expect(!Self.hasHangul(text.en), "English text of \(code) has Korean in it")
            #expect(text.ko.hasSuffix(".") && text.en.hasSuffix("."), "\(code) has an unfinished sentence")
        }
        #expect(!entry.helpPageID.isEmpty)
        let placeholders = Set(
            (entry.customerMessage.ko + entry.customerMessage.en).matches(of: #/\{(\w+)\}/#).map { String($0.1) })
        #expect(placeholders.isSubset(of: CatalogEntry.placeholders))
    }

    @Test("No two codes explain themselves alike: an entry copied from another and left unedited is caught")
    func explanationsAreDistinct() {
        let entries = ErrorCatalog.entries
        for language in [\LocalizedText.ko, \LocalizedText.en] {
            let explanations = Dictionary(grouping: entries, by: { $0.explanation[keyPath: language] })
            let shared = explanations.filter { $0.value.count > 1 }.map { $0.value.map(\.code.rawValue) }
            #expect(shared.isEmpty, "codes with the same explanation: \(shared)")
        }
    }

    @Test(
        "The HTTP status agrees with the retry rule: fix-and-resend is 4xx, wait-and-resend is 409, 429 or 5xx",
        arguments: ErrorCatalog.entries.map(\.code))
    func statusMatchesRetryRule(code: ErrorCode) {
        let entry = code.entry
        switch entry.retry {
        case .afterCorrection:
            #expect((400..<500).contains(entry.httpStatus), "\(code) asks for a correction but answers 5xx")
        case .afterDelay(let seconds):
            #expect(seconds > 0)
            #expect(
                entry.httpStatus == 409 || entry.httpStatus == 429 || entry.httpStatus >= 500,
                "\(code) asks to wait but answers \(entry.httpStatus), which says the request itself is wrong")
        case .afterMaintenance:
            #expect(entry.httpStatus == 503)
        case .never:
            #expect(entry.httpStatus != 429 && entry.httpStatus != 503, "\(code) answers 'later' but never succeeds")
        }
    }

    @Test(
        "The Korean PGs' key-in codes are there under their usual names",
        arguments: [
            "INVALID_CARD_NUMBER", "INVALID_CARD_EXPIRATION", "INVALID_CARD_IDENTITY", "INVALID_CARD_PASSWORD",
            "BELOW_MINIMUM_AMOUNT", "NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN_BELOW_AMOUNT", "REJECT_CARD_COMPANY",
            "INVALID_CARD_LOST_OR_STOLEN", "NOT_AVAILABLE_PAYMENT", "IDEMPOTENT_REQUEST_PROCESSING",
        ])
    func pgNames(code: String) {
        #expect(ErrorCatalog.entry(for: code) != nil)
    }

    @Test("Every category has entries; the four merchant-facing kinds are all covered")
    func categories() {
        let used = Set(ErrorCatalog.entries.map(\.category))
        #expect(used == Set(ErrorCategory.allCases))
    }

    @Test("A lost or stolen card reads to the customer exactly like a plain decline")
    func lostOrStolenLooksLikeDecline() {
        #expect(
            ErrorCode.invalidCardLostOrStolen.entry.customerMessage == ErrorCode.rejectCardCompany.entry.customerMessage
        )
        #expect(!ErrorCode.invalidCardLostOrStolen.entry.customerMessage.ko.contains("분실"))
        #expect(!ErrorCode.invalidCardLostOrStolen.entry.customerMessage.en.lowercased().contains("stolen"))
    }

    @Test("Retryable entries say when; others say what to change")
    func retryRules() {
        for entry in ErrorCatalog.entries where entry.retry.isRetryable {
            let waits: Bool
            switch entry.retry {
            case .afterDelay(let seconds): waits = seconds > 0
            case .afterMaintenance: waits = entry.customerMessage.ko.contains("{retryAt}")
            default: waits = false
            }
            #expect(waits, "\(entry.code) is retryable but gives no time")
        }
        #expect(ErrorCode.cardCompanyResponseTimeout.entry.retry.isRetryable)
        #expect(ErrorCode.cardCompanyResponseTimeout.entry.customerMessage.ko.contains("청구된 금액은 없"))
        #expect(!ErrorCode.invalidCardNumber.entry.retry.isRetryable)
    }

    @Test(
        "Every response code the card-company hosts send maps to the catalog",
        arguments: [
            "05", "12", "13", "14", "30", "41", "43", "51", "54", "55", "57", "61", "62", "91", "94", "96", "N7", "Q1",
        ])
    func responseCodes(code: String) throws {
        let error = try #require(CardCompanyResponseCode.errorCode(for: code))
        #expect(error != .cardCompanyUnknownResponse)
    }

    @Test("Approval is no error, 91 in a maintenance window is maintenance, unknown codes are declines")
    func responseCodeEdges() {
        #expect(CardCompanyResponseCode.errorCode(for: "00") == nil)
        #expect(CardCompanyResponseCode.errorCode(for: "91") == .cardCompanyUnavailable)
        #expect(CardCompanyResponseCode.errorCode(for: "91", duringMaintenance: true) == .notAvailablePayment)
        #expect(CardCompanyResponseCode.errorCode(for: "Z9") == .cardCompanyUnknownResponse)
        #expect(CardCompanyResponseCode.errorCode(for: "41") == CardCompanyResponseCode.errorCode(for: "43"))
    }
}

@Suite("A reported error")
struct KeyInErrorTests {
    @Test("The maintenance message names the Seoul time the window ends")
    func maintenanceEnd() throws {
        // 00:10 on 25 November 2026 in Seoul.
        let end = try Date("2026-11-25T00:10:00+09:00", strategy: .iso8601)
        let error = KeyInError(.notAvailablePayment, retryAt: end)
        #expect(error.customerMessage.ko == "카드사 점검 시간이라 지금은 결제할 수 없습니다. 00:10 이후에 다시 결제해 주세요.")
        #expect(
            error.customerMessage.en
                == "Your card company is under maintenance. Please try again after 00:10 (Korea time).")
        #expect(error.retryAfterSeconds(now: end.addingTimeInterval(-300)) == 300)
    }

    @Test("Without a known end time the message still reads naturally")
    func maintenanceEndUnknown() {
        let error = KeyInError(.notAvailablePayment)
        #expect(error.customerMessage.ko.contains("점검이 끝난 이후에 다시 결제해 주세요."))
        #expect(error.customerMessage.en.hasSuffix("try again after the maintenance ends."))
        #expect(error.retryAfterSeconds(now: Date()) == nil)
    }

    @Test("A passing fault tells how long to wait")
    func delay() {
        #expect(KeyInError(.cardProcessingError).retryAfterSeconds(now: Date()) == 30)
        #expect(KeyInError(.invalidCardNumber).retryAfterSeconds(now: Date()) == nil)
    }

    @Test(
        "Accept-Language picks the message language",
        arguments: [
            (String?.none, Language.korean), ("en-US,en;q=0.9", .english), ("ko-KR,ko;q=0.9,en;q=0.8", .korean),
            ("en;q=0.5, ko;q=0.8", .korean), ("fr-FR", .korean), ("de, en;q=0.7", .english),
        ])
    func acceptLanguage(header: String?, language: Language) {
        #expect(Language(acceptLanguage: header) == language)
    }
}
