import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPages

/// The virtual terminal: the hosted page's checked card form, with the amount and order typed by staff. `pay.js`
/// runs it in terminal mode (posting to `/console/terminal` with the session's CSRF token).
package struct VirtualTerminalPage {
    package let csrfToken: String
    /// The gateway's clock, when the page is made.
    package let now: Date

    package var html: HTML {
        let configuration = HostedPaymentPage.ScriptConfiguration(
            language: "ko", postURL: "/console/terminal", amountText: "",
            labels: HostedPaymentPage.labels(in: .korean, payLabel: "결제하기"),
            messages: HostedPaymentPage.messages(in: .korean), csrfToken: csrfToken, terminal: true)
        return """
            <form id="pay-form" novalidate class="terminal">
            <div class="row">
            <div class="field"><label for="amount-input">금액 (원)</label><input id="amount-input" inputmode="numeric" required aria-describedby="amount-input-error"><p id="amount-input-error" class="error" aria-live="polite"></p></div>
            <div class="field"><label for="orderName-input">주문 내용</label><input id="orderName-input" maxlength="100" required></div>
            </div>
            \(HostedPaymentPage.cardFields(language: .korean, installments: true, now: now))
            <button id="pay-button" type="submit" disabled>결제하기</button>
            </form>
            <section id="result" class="result" aria-live="assertive" hidden></section>
            <script type="application/json" id="keyin-page">\(HTML.jsonScript(configuration))</script>
            """
    }
}
