import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPersistence

/// 매출전표: what a card receipt shows, printable. VAT is the Korean 10% included in the price, split as the API
/// splits it (`TaxAmounts`), so the receipt and the Payment never disagree.
package struct ReceiptPage {
    package let payment: PaymentRecord
    package let cancels: [CancelRecord]
    package let merchantName: String
    package let supportText: String?
    package let language: Language

    package var html: HTML {
        let t = { (text: LocalizedText) in text.text(in: language) }
        let money = { (amount: Int64) in
            DisplayFormat.amount(amount, currency: self.payment.currency, language: self.language)
        }
        let status = PageText.status(payment.status).text(in: language)
        let company = payment.cardCompanyCode.flatMap(BINTable.bundled.company(code:))
        // The sale as it was approved; cancels are listed below it.
        let split = TaxAmounts(amount: payment.totalAmount, taxFree: payment.taxFreeAmount)
        let done = cancels.filter { $0.status == .done }
        let cancelRows: [HTML] = done.map { cancel in
            """
            <tr><td>\(cancel.canceledAt.map { DisplayFormat.time($0, language: language) } ?? "")</td><td>\(cancel.reason)</td><td class="num">-\(money(cancel.amount))</td></tr>
            """
        }
        return """
            <main class="page receipt">
            <header class="bar"><h1>\(t(PageText.receiptTitle))</h1><button type="button" class="no-print" id="print-button">\(t(PageText.print))</button></header>
            \(payment.mode == .test ? "<p class=\"test-mode\" id=\"test-mode\">\(t(PageText.testReceiptNotice))</p>" as HTML : "")
            <dl class="receipt-lines">
            <dt>\(t(PageText.merchant))</dt><dd>\(merchantName)</dd>
            <dt>\(t(PageText.orderName))</dt><dd>\(payment.orderName)</dd>
            <dt>\(t(PageText.approvedAt))</dt><dd>\(DisplayFormat.time(payment.approvedAt ?? payment.requestedAt, language: language))</dd>
            <dt>\(t(PageText.cardCompany))</dt><dd>\(company?.name.text(in: language) ?? payment.cardBrand.uppercased())</dd>
            <dt>\(t(PageText.card))</dt><dd>\(payment.cardMasked)</dd>
            <dt>\(t(PageText.installment))</dt><dd>\(DisplayFormat.installment(payment.installmentMonths, language: language))</dd>
            <dt>\(t(PageText.approvalNumber))</dt><dd id="approval-number">\(payment.approveNo ?? "-")</dd>
            <dt>\(t(PageText.status))</dt><dd id="receipt-status">\(status)</dd>
            </dl>
            <table class="amounts">
            <tr><th>\(t(PageText.supplyAmount))</th><td class="num" id="receipt-supplied">\(money(split.supplied))</td></tr>
            <tr><th>\(t(PageText.vat))</th><td class="num" id="receipt-vat">\(money(split.vat))</td></tr>
            \(split.taxFree == 0 ? "" : "<tr><th>\(t(PageText.taxFreeAmount))</th><td class=\"num\" id=\"receipt-tax-free\">\(money(split.taxFree))</td></tr>" as HTML)
            <tr class="total"><th>\(t(PageText.total))</th><td class="num" id="receipt-total">\(money(payment.totalAmount))</td></tr>
            </table>
            \(done.isEmpty ? "" : """
            <h2>\(t(PageText.cancellations))</h2>
            <table class="amounts">\(cancelRows)
            <tr class="total"><th colspan="2">\(t(PageText.balance))</th><td class="num">\(money(payment.balanceAmount))</td></tr>
            </table>
            """ as HTML)
            <details class="inquiry no-print" id="inquiry"><summary>\(t(PageText.inquiry))</summary>
            <form id="inquiry-form" data-payment-key="\(payment.paymentKey.rawValue)" data-sent="\(t(PageText.inquirySent))">
            <div class="field"><label for="inquiry-contact">\(t(PageText.inquiryContact))</label><input id="inquiry-contact" required maxlength="100"></div>
            <div class="field"><label for="inquiry-message">\(t(PageText.inquiryMessage))</label><textarea id="inquiry-message" required maxlength="1000" rows="3"></textarea></div>
            <button type="submit">\(t(PageText.inquirySend))</button>
            <p id="inquiry-status" aria-live="polite"></p>
            </form></details>
            \(supportText.map { "<p class=\"support\">\($0)</p>" as HTML })
            </main>
            """
    }
}
