import Foundation
import ISO8583
import KeyInCore

/// Writes KeyIn's requests in the documented ISO 8583 layout.
enum MessageBuilder {
    /// 22: keyed entry, no PIN.
    static let keyedEntryMode = "012"

    static func authorization(_ request: CardAuthorizationRequest, trace: TransactionTrace) -> ISO8583Message {
        var message = ISO8583Message(mti: request.capture ? .financialRequest : .authorizationRequest)
        message.stamp(trace)
        message[.retrievalReferenceNumber] = RetrievalReference.new(for: trace)
        message[.primaryAccountNumber] = request.cardNumber.digits
        message[.processingCode] = ProcessingCode.purchase
        message[.amount] = amountField(request.amount)
        message[.expirationDate] = request.expiry.yymm
        message[.posEntryMode] = keyedEntryMode
        message[.posConditionCode] = request.posCondition.rawValue
        message[.currencyCode] = request.amount.currency.numericCode
        var additional = AdditionalData()
        additional[.cvc2] = request.cvc
        additional[.customerIdentity] = request.customerIdentity?.digits
        additional[.cardPasswordDigits] = request.cardPasswordDigits
        additional[.installmentMonths] = twoDigits(request.installmentMonths)
        additional[.authenticationValue] = request.authenticationValue
        additional[.eci] = request.eci
        additional[.authenticationTransactionID] = request.authenticationTransactionID
        if request.merchantPaysInterest && request.installmentMonths > 0 { additional[.merchantPaysInterest] = "1" }
        message.additionalData = additional
        return message
    }

    static func followUp(_ request: CardFollowUpRequest, trace: TransactionTrace) -> ISO8583Message {
        var message = ISO8583Message(mti: request.kind == .capture ? .financialAdvice : .financialRequest)
        message.stamp(trace)
        message[.retrievalReferenceNumber] = RetrievalReference.new(for: trace)
        message[.primaryAccountNumber] = request.cardNumber.digits
        message[.processingCode] = request.kind == .capture ? ProcessingCode.purchase : ProcessingCode.refund
        message[.amount] = amountField(request.amount)
        message[.posEntryMode] = keyedEntryMode
        message[.posConditionCode] = request.posCondition.rawValue
        message[.currencyCode] = request.amount.currency.numericCode
        message.additionalData = AdditionalData([.originalRRN: request.originalRRN])
        return message
    }

    /// A reversal of `original`: 0400 the first time, 0401 when repeated. It carries no card data, only what
    /// identifies the original (element 90 with 41 and 42) and the amount, so pending reversals hold no secrets.
    static func reversal(_ reversal: PendingReversal, repeat isRepeat: Bool) -> ISO8583Message {
        var message = ISO8583Message(mti: isRepeat ? .reversalRepeat : .reversalRequest)
        message.stamp(reversal.trace)
        message[.processingCode] = reversal.processingCode
        message[.amount] = reversal.amountField
        message[.currencyCode] = reversal.currencyCode
        message[.posConditionCode] = reversal.posCondition
        message[.originalDataElements] = reversal.original.encoded
        return message
    }

    static func networkManagement(_ code: NetworkManagementCode, trace: TransactionTrace) -> ISO8583Message {
        var message = ISO8583Message(mti: .networkManagementRequest)
        message[.transmissionDateTime] = trace.transmissionDateTime
        message[.systemTraceAuditNumber] = trace.systemTraceAuditNumber
        message[.terminalID] = trace.terminalID
        message[.networkManagementCode] = code.rawValue
        return message
    }

    static func amountField(_ amount: Money) -> String {
        let digits = String(amount.minorUnits)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }
}

/// Element 70 codes KeyIn sends.
public enum NetworkManagementCode: String, Sendable {
    case signOn = "001"
    case echo = "301"
}

extension ISO8583Message {
    mutating func stamp(_ trace: TransactionTrace) {
        self[.transmissionDateTime] = trace.transmissionDateTime
        self[.systemTraceAuditNumber] = trace.systemTraceAuditNumber
        self[.localTime] = trace.localTime
        self[.localDate] = trace.localDate
        self[.terminalID] = trace.terminalID
        self[.merchantID] = trace.merchantID
    }
}

/// Element 37 as KeyIn assigns it, as acquirers do on the international networks: the Seoul date the message goes
/// (`MMDD`, element 13), then eight random letters and digits, so references from every node and every hour stay
/// distinct (a STAN repeats after a million messages; these, after trillions in a day).
enum RetrievalReference {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    static func new(for trace: TransactionTrace) -> String {
        var generator = SystemRandomNumberGenerator()
        return trace.localDate + String((0..<8).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
