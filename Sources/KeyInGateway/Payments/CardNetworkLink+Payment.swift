import CardNetworkLink
import ISO8583
import KeyInCore
import KeyInPersistence

extension CardNetworkLink {
    /// Queues the reversal of a message sent for `payment`: to its card company, with the element 25 its channel
    /// sends (`PaymentOrigin`), for `amount` — the payment's, unless the message carried another (a refund's).
    func reverse(
        _ originalMessageType: MessageTypeIndicator, trace: TransactionTrace, of payment: PaymentRecord,
        processingCode: String = ProcessingCode.purchase, amount: Money? = nil
    ) async throws {
        try await reverse(
            originalMessageType: originalMessageType, trace: trace, processingCode: processingCode,
            amount: amount ?? payment.amount, posCondition: PaymentOrigin(recordedFor: payment).posCondition,
            companyCode: payment.cardCompanyCode)
    }
}
