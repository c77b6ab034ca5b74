import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPersistence

/// The key-in form a customer fills in on a phone or a desktop. The server renders what it knows (order, amount,
/// whether instalments are allowed); `pay.js` formats and checks fields as they are typed and sends the payment.
package struct HostedPaymentPage {
    package let link: PaymentLinkRecord
    package let merchantName: String
    package let supportText: String?
    package let language: Language
    /// The gateway's clock, when the page is made.
    package let now: Date

    /// What the script needs: where to post, the language, and the catalog's customer messages for field problems
    /// (so a field says exactly what the API would say). The virtual terminal adds its CSRF token.
    package struct ScriptConfiguration: Encodable {
        package let language: String
        package let postURL: String
        package let amountText: String
        package let labels: [String: String]
        package let messages: [String: String]
        package var csrfToken: String? = nil
        package var terminal = false
        /// The shop's support phone and hours, shown beside the result.
        package var supportText: String? = nil

        package init(
            language: String, postURL: String, amountText: String, labels: [String: String],
            messages: [String: String], csrfToken: String? = nil, terminal: Bool = false
        ) {
            self.language = language
            self.postURL = postURL
            self.amountText = amountText
            self.labels = labels
            self.messages = messages
            self.csrfToken = csrfToken
            self.terminal = terminal
        }
    }

    /// `고객센터 02-1234-5678 (평일 10:00–18:00)`, when the shop has set it.
    package static func supportText(_ merchant: MerchantRecord?, language: Language) -> String? {
        guard let phone = merchant?.supportPhone else { return nil }
        let hours = merchant?.supportHours.map { " (\($0))" } ?? ""
        return "\(PageText.supportContact.text(in: language)) \(phone)\(hours)"
    }

    package static let fieldCodes: [ErrorCode] = [
        .invalidCardNumber, .invalidCardNumberLength, .invalidCardNumberFormat, .notSupportedCardType,
        .invalidCardExpiration, .expiredCard, .invalidCardCVC, .invalidCardIdentityFormat,
        .invalidCardPasswordFormat, .invalidAmount, .belowMinimumAmount, .failedInternalSystemProcessing,
    ]

    package static func messages(in language: Language) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: fieldCodes.map { ($0.rawValue, KeyInError($0).customerMessage.text(in: language)) })
    }

    package static func labels(in language: Language, payLabel: String) -> [String: String] {
        let t = { (text: LocalizedText) in text.text(in: language) }
        return [
            "pay": payLabel, "paying": t(PageText.paying), "approved": t(PageText.approved),
            "approvalNumber": t(PageText.approvalNumber), "card": t(PageText.card), "receipt": t(PageText.receipt),
            "after": t(PageText.afterApproval), "failed": t(PageText.failed), "retry": t(PageText.retry),
            "help": t(PageText.help), "support": t(PageText.support), "amount": t(PageText.amount),
            "feedbackQuestion": t(PageText.feedbackQuestion), "feedbackComment": t(PageText.feedbackComment),
            "feedbackThanks": t(PageText.feedbackThanks), "inquiry": t(PageText.inquiry),
            "inquiryContact": t(PageText.inquiryContact), "inquiryMessage": t(PageText.inquiryMessage),
            "inquirySend": t(PageText.inquirySend), "inquirySent": t(PageText.inquirySent),
            "chatOnline": t(PageText.chatOnline), "chatOffline": t(PageText.chatOffline),
            "verifying": t(PageText.verifying),
        ]
    }

    /// The card fields, shared by the hosted page and the virtual terminal. With `installments` the instalment
    /// choice is rendered (the terminal shows it once the amount allows it).
    /// `now` (the gateway's clock) decides which years the expiry picker offers.
    package static func cardFields(
        language: Language, installments: Bool, hiddenInstallments: Bool = true, now: Date
    ) -> HTML {
        let t = { (text: LocalizedText) in text.text(in: language) }
        let thisYear = SeoulTime.calendar.component(.year, from: now)
        let installment: HTML =
            installments
            ? """
            <div class="field" id="installment-field"\(hiddenInstallments ? " hidden" as HTML : "")>
            <label for="cardInstallmentPlan">\(t(PageText.installment))</label>
            <select id="cardInstallmentPlan" name="cardInstallmentPlan">
            \((([0] + Array(2...12)).map { months -> HTML in
                "<option value=\"\(months)\">\(DisplayFormat.installment(months, language: language))</option>"
            }))
            </select>
            </div>
            """ : ""
        return """
            <div class="field">
            <label for="cardNumber">\(t(PageText.cardNumber))</label>
            <div class="with-badge">
            <input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" placeholder="0000 0000 0000 0000" aria-describedby="cardNumber-error" required>
            <span id="card-brand" class="badge" aria-live="polite"></span>
            </div>
            <p id="cardNumber-error" class="error" aria-live="polite"></p>
            </div>
            <div class="row">
            <div class="field">
            <label for="cardExpiry">\(t(PageText.expiry))</label>
            <input id="cardExpiry" name="cardExpiry" inputmode="numeric" autocomplete="cc-exp" placeholder="MM/YY" maxlength="5" aria-describedby="cardExpiry-error" required>
            <details class="picker"><summary>\(t(PageText.expiryPicker))</summary>
            <label for="expiryMonth">\(t(PageText.month))</label>
            <select id="expiryMonth"><option value=""></option>\((1...12).map { month -> HTML in "<option value=\"\(String(format: "%02d", month))\">\(String(format: "%02d", month))</option>" })</select>
            <label for="expiryYear">\(t(PageText.year))</label>
            <select id="expiryYear"><option value=""></option>\((thisYear...(thisYear + 15)).map { year -> HTML in "<option value=\"\(String(year % 100))\">\(year)</option>" })</select>
            </details>
            <p id="cardExpiry-error" class="error" aria-live="polite"></p>
            </div>
            <div class="field" id="cvc-field">
            <label for="cardCvc">\(t(PageText.cvc))</label>
            <input id="cardCvc" name="cardCvc" inputmode="numeric" autocomplete="cc-csc" maxlength="4" aria-describedby="cardCvc-error">
            <p id="cardCvc-error" class="error" aria-live="polite"></p>
            </div>
            </div>
            <div class="field">
            <label for="customerIdentityNumber">\(t(PageText.identity))</label>
            <input id="customerIdentityNumber" name="customerIdentityNumber" inputmode="numeric" maxlength="10" autocomplete="off" aria-describedby="customerIdentityNumber-error" required>
            <p id="customerIdentityNumber-error" class="error" aria-live="polite"></p>
            </div>
            <div class="field">
            <label for="cardPassword">\(t(PageText.password))</label>
            <input id="cardPassword" name="cardPassword" type="password" inputmode="numeric" maxlength="2" autocomplete="off" aria-describedby="cardPassword-error" required>
            <p id="cardPassword-error" class="error" aria-live="polite"></p>
            </div>
            \(installment)
            """
    }

    package var html: HTML {
        let t = { (text: LocalizedText) in text.text(in: language) }
        let amountText = DisplayFormat.amount(link.amount, currency: link.currency, language: language)
        let other: Language = language == .korean ? .english : .korean
        let allowsInstallments =
            PaymentAmountRules.problem(
                installmentMonths: 2,
                amount: Money(minorUnits: link.amount, currency: Currency(code: link.currency) ?? .krw)) == nil
        var configuration = ScriptConfiguration(
            language: language.rawValue, postURL: "/pay/\(link.linkKey)", amountText: amountText,
            labels: Self.labels(in: language, payLabel: "\(amountText) \(t(PageText.pay))"),
            messages: Self.messages(in: language))
        configuration.supportText = supportText
        return """
            <main class="page pay">
            <header class="bar">
            <span class="merchant">\(merchantName)</span>
            <a class="lang" href="?lang=\(other.rawValue)" lang="\(other.rawValue)">\(PageText.switchLanguage.text(in: language))</a>
            </header>
            \(link.mode == .test ? "<p class=\"test-mode\" id=\"test-mode\">\(t(PageText.testPayNotice))</p>" as HTML : "")
            <section class="order" aria-label="\(t(PageText.orderName))">
            <h1 class="order-name">\(link.orderName)</h1>
            <p class="amount"><span class="label">\(t(PageText.amount))</span> <strong id="amount">\(amountText)</strong></p>
            </section>
            <form id="pay-form" novalidate>
            \(Self.cardFields(language: language, installments: allowsInstallments, hiddenInstallments: false, now: now))
            <button id="pay-button" type="submit" disabled>\(amountText) \(t(PageText.pay))</button>
            <p class="fine">\(t(PageText.secureNote))</p>
            </form>
            <section id="result" class="result" aria-live="assertive" hidden></section>
            <details class="chat" id="chat"><summary>\(t(PageText.chat))</summary>
            <p id="chat-status" aria-live="polite"></p>
            <ol id="chat-log" class="thread" aria-live="polite"></ol>
            <label for="chat-contact">\(t(PageText.chatContact))</label><input id="chat-contact" maxlength="100" autocomplete="tel">
            <label for="chat-input">\(t(PageText.chatMessage))</label>
            <div class="row"><input id="chat-input" maxlength="1000"><button type="button" id="chat-send">\(t(PageText.chatSend))</button></div>
            </details>
            \(supportText.map { "<p class=\"support\">\($0)</p>" as HTML })
            </main>
            <script type="application/json" id="keyin-page">\(HTML.jsonScript(configuration))</script>
            """
    }
}
