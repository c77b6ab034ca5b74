import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway

/// `/help`: one entry per catalog code, plus general questions, searchable. Every error the API or a page shows
/// links to its entry (`helpUrl`).
package struct HelpPages {
    package let language: Language

    package struct Question {
        package let question: LocalizedText
        package let answer: LocalizedText
    }

    package static let questions: [Question] = [
        Question(
            question: .init(ko: "키인 결제가 무엇인가요?", en: "What is a key-in payment?"),
            answer: .init(
                ko: "카드를 단말기에 꽂는 대신 카드 번호와 유효기간 등을 직접 입력해 결제하는 방식입니다. 전화·우편 주문이나 결제 링크에 쓰입니다.",
                en:
                    "A card payment made by typing the card details instead of inserting the card: for phone and mail orders and payment links."
            )),
        Question(
            question: .init(ko: "결제가 실패했는데 돈이 빠져나갔어요.", en: "The payment failed but I was charged."),
            answer: .init(
                ko:
                    "KeyIn은 카드사 응답이 없거나 늦으면 승인을 자동으로 취소(망취소)합니다. 카드사 앱에 승인 문자가 보여도 보통 1~3일 안에 취소가 반영됩니다. 그 뒤에도 남아 있으면 가맹점에 문의해 주세요.",
                en:
                    "When a card company does not answer in time, KeyIn cancels the approval automatically. A notice may still appear; the cancellation shows within 1–3 days. If it does not, contact the shop."
            )),
        Question(
            question: .init(
                ko: "생년월일 대신 무엇을 넣나요? (법인카드)", en: "What goes in the date-of-birth field for a corporate card?"),
            answer: .init(
                ko: "법인카드는 생년월일 대신 사업자등록번호 10자리를 입력합니다.",
                en: "For a corporate card, enter the 10-digit business registration number instead.")),
        Question(
            question: .init(ko: "할부 선택이 보이지 않아요.", en: "I cannot choose instalments."),
            answer: .init(
                ko: "할부는 결제 금액이 5만 원 이상일 때만 선택할 수 있습니다.",
                en: "Instalments are available from KRW 50,000.")),
        Question(
            question: .init(ko: "카드 정보는 저장되나요?", en: "Is my card stored?"),
            answer: .init(
                ko: "CVC, 카드 비밀번호, 생년월일은 어디에도 저장하지 않습니다. 카드 번호는 환불에 필요한 기간 동안만 암호화해 보관한 뒤 파기합니다.",
                en:
                    "The CVC, PIN digits and date of birth are never stored. The card number is kept encrypted only as long as refunds need it, then destroyed."
            )),
    ]

    package func matches(_ query: String, code: ErrorCode) -> Bool {
        guard !query.isEmpty else { return true }
        let entry = code.entry
        return [
            code.rawValue, entry.explanation.ko, entry.explanation.en, entry.customerMessage.ko,
            entry.customerMessage.en,
        ]
        .contains { $0.localizedCaseInsensitiveContains(query) }
    }

    package func index(query: String) -> HTML {
        let t = { (text: LocalizedText) in text.text(in: language) }
        let questions = Self.questions.filter {
            query.isEmpty
                || [$0.question.ko, $0.question.en, $0.answer.ko, $0.answer.en]
                    .contains { $0.localizedCaseInsensitiveContains(query) }
        }
        let codes = ErrorCode.allCases.filter { matches(query, code: $0) }
        return """
            <main class="page help">
            <h1>\(t(PageText.helpTitle))</h1>
            <form class="search" method="get" action="/help" role="search">
            <input type="hidden" name="lang" value="\(language.rawValue)">
            <label for="q">\(t(PageText.search))</label> <input id="q" name="q" type="search" value="\(query)">
            <button type="submit">\(t(PageText.search))</button>
            </form>
            \(questions.isEmpty ? "" : """
            <h2>\(t(PageText.generalQuestions))</h2>
            \(questions.map { question -> HTML in "<details><summary>\(question.question.text(in: language))</summary><p>\(question.answer.text(in: language))</p></details>" })
            """ as HTML)
            \(codes.isEmpty ? "" : """
            <h2>\(t(PageText.errorCodes))</h2>
            <ul class="codes">\(codes.map { code -> HTML in
                "<li><a href=\"/help/\(code.entry.helpPageID)?lang=\(language.rawValue)\"><code>\(code.rawValue)</code></a> \(code.entry.customerMessage.text(in: language))</li>"
            })</ul>
            """ as HTML)
            \(questions.isEmpty && codes.isEmpty ? "<p>\(t(PageText.noResults))</p>" as HTML : "")
            </main>
            """
    }

    package func entry(_ code: ErrorCode) -> HTML {
        let t = { (text: LocalizedText) in text.text(in: language) }
        let entry = code.entry
        return """
            <main class="page help">
            <p><a href="/help?lang=\(language.rawValue)">\(t(PageText.helpTitle))</a></p>
            <h1><code>\(code.rawValue)</code></h1>
            <h2>\(t(PageText.whatHappened))</h2>
            <p>\(entry.explanation.text(in: language))</p>
            <h2>\(t(PageText.customerCanDo))</h2>
            <p>\(KeyInError(code).customerMessage.text(in: language))</p>
            <h2>\(t(PageText.retryRule))</h2>
            <p>\(entry.retry.summary.text(in: language))</p>
            </main>
            """
    }
}
