import CardNetworkLink
import CardVault
import FluentKit
import Foundation
import KeyInCore

// Rows to records and back: the only place that knows how a domain value is spelled in a column.

extension PaymentModel {
    convenience init(_ record: PaymentRecord) {
        self.init()
        id = record.id
        $merchant.id = record.merchantID.rawValue
        mode = record.mode
        paymentKey = record.paymentKey.rawValue
        orderID = record.orderID.rawValue
        orderLock = record.holdsOrder ? Self.orderLock(record) : nil
        orderName = record.orderName
        status = record.status
        totalAmount = record.totalAmount
        balanceAmount = record.balanceAmount
        currency = record.currency
        capture = record.capture
        installmentMonths = record.installmentMonths
        cardBrand = record.cardBrand
        cardCompanyCode = record.cardCompanyCode
        cardMasked = record.cardMasked
        cardFingerprint = record.cardFingerprint
        approveNo = record.approveNo
        retrievalReferenceNumber = record.retrievalReferenceNumber
        trace = record.trace.flatMap(JSONColumn.text)
        customerName = record.customerName
        customerEmail = record.customerEmail
        customerMobilePhone = record.customerMobilePhone
        metadata = record.metadata.flatMap(JSONColumn.text)
        failureCode = record.failureCode?.rawValue
        requestedAt = record.requestedAt
        approvedAt = record.approvedAt
        transactionKey = record.transactionKey?.rawValue
        taxFreeAmount = record.taxFreeAmount
        usesFreeInstallmentPlan = record.usesFreeInstallmentPlan
        cardKind = record.cardKind.rawValue
        cardOwner = record.cardOwner.rawValue
        decision = record.decisionReasons.isEmpty ? nil : JSONColumn.text(record.decisionReasons)
        openedBy = record.openedBy
    }

    /// `mode merchant id:order id`: unique while the order holds a payment that is not aborted; one order id can be
    /// paid once in each mode.
    static func orderLock(_ record: PaymentRecord) -> String {
        "\(record.mode.rawValue) \(record.merchantID.uuidString):\(record.orderID)"
    }
}

extension PaymentRecord {
    init(_ model: PaymentModel) {
        self.init(
            id: model.id ?? UUID(), merchantID: MerchantID(model.$merchant.id), mode: model.mode,
            paymentKey: PaymentKey(model.paymentKey),
            orderID: OrderID(model.orderID), orderName: model.orderName,
            status: model.status, totalAmount: model.totalAmount,
            currency: model.currency, capture: model.capture, installmentMonths: model.installmentMonths,
            cardBrand: model.cardBrand, cardCompanyCode: model.cardCompanyCode, cardMasked: model.cardMasked,
            cardFingerprint: model.cardFingerprint, trace: model.trace.flatMap { JSONColumn.value($0) },
            customerName: model.customerName, customerEmail: model.customerEmail,
            customerMobilePhone: model.customerMobilePhone, metadata: model.metadata.flatMap { JSONColumn.value($0) },
            requestedAt: model.requestedAt)
        holdsOrder = model.orderLock != nil
        balanceAmount = model.balanceAmount
        approveNo = model.approveNo
        retrievalReferenceNumber = model.retrievalReferenceNumber
        failureCode = model.failureCode.map { ErrorCode(rawValue: $0) ?? .failedInternalSystemProcessing }
        approvedAt = model.approvedAt
        transactionKey = model.transactionKey.map(TransactionKey.init(rawValue:))
        taxFreeAmount = model.taxFreeAmount
        usesFreeInstallmentPlan = model.usesFreeInstallmentPlan
        cardKind = model.cardKind.flatMap(CardKind.init(rawValue:)) ?? .unknown
        cardOwner = model.cardOwner.flatMap(CardOwnerType.init(rawValue:)) ?? .unknown
        decisionReasons = model.decision.flatMap { JSONColumn.value($0) } ?? []
        openedBy = model.openedBy
        captureInFlight = model.captureTrace != nil
    }
}

extension CardRecordModel {
    convenience init(paymentID: UUID, card: SealedCard) {
        self.init()
        $payment.id = paymentID
        ciphertext = card.ciphertext
        wrappedDataKey = card.wrappedDataKey
        masterKeyID = card.masterKeyID
    }
}

extension PaymentEventModel {
    convenience init(paymentID: UUID, from: PaymentStatus?, to: PaymentStatus, code: ErrorCode?, at: Date) {
        self.init(paymentID: paymentID, from: from?.rawValue, to: to.rawValue, code: code?.rawValue, at: at)
    }
}

extension PaymentEventRecord {
    init(_ model: PaymentEventModel) {
        from = model.fromStatus.flatMap(PaymentStatus.init(rawValue:))
        to = PaymentStatus(rawValue: model.toStatus) ?? .aborted
        code = model.code.flatMap(ErrorCode.init(rawValue:))
        at = model.at
    }
}

extension NetworkMessageModel {
    convenience init(paymentID: UUID, _ record: NetworkMessageRecord) {
        self.init()
        $payment.id = paymentID
        at = record.at
        direction = record.direction
        mti = record.mti
        stan = record.stan
        transmissionDateTime = record.transmissionDateTime
        terminalID = record.terminalID
        code = record.code
        note = record.note
    }
}

extension NetworkMessageRecord {
    init(_ model: NetworkMessageModel) {
        self.init(
            at: model.at, direction: model.direction, mti: model.mti, stan: model.stan,
            transmissionDateTime: model.transmissionDateTime, terminalID: model.terminalID, code: model.code,
            note: model.note)
    }
}

extension CancelModel {
    convenience init(_ record: CancelRecord) {
        self.init()
        id = record.id
        $payment.id = record.paymentID
        amount = record.amount
        reason = record.reason
        status = record.status
        trace = record.trace.flatMap(JSONColumn.text)
        approveNo = record.approveNo
        failureCode = record.failureCode?.rawValue
        requestedAt = record.requestedAt
        canceledAt = record.canceledAt
        transactionKey = record.transactionKey?.rawValue
        taxFreeAmount = record.taxFreeAmount
        openedBy = record.openedBy
    }
}

extension CancelRecord {
    init(_ model: CancelModel) {
        self.init(
            id: model.id ?? UUID(), paymentID: model.$payment.id, amount: model.amount, reason: model.reason,
            trace: model.trace.flatMap { JSONColumn.value($0) }, requestedAt: model.requestedAt)
        status = model.status
        approveNo = model.approveNo
        failureCode = model.failureCode.flatMap(ErrorCode.init(rawValue:))
        canceledAt = model.canceledAt
        transactionKey = model.transactionKey.map(TransactionKey.init(rawValue:))
        taxFreeAmount = model.taxFreeAmount
        openedBy = model.openedBy
    }
}

extension IdempotencyRecordModel {
    convenience init(_ claim: IdempotencyClaim, response: StoredResponse?) {
        self.init()
        merchantID = claim.merchantID.rawValue
        key = claim.key
        requestDigest = claim.requestDigest
        state = response == nil ? .processing : .completed
        responseStatus = response?.status
        responseBody = response?.body
        createdAt = claim.createdAt
        expiresAt = claim.expiresAt
        processID = claim.processID
    }
}

/// Values kept as JSON text in a column (traces, metadata). Keys sorted: the same value always gives the same text,
/// so a column can be compared with a value (a capture in flight is matched by its trace).
enum JSONColumn {
    static func text(_ value: some Encodable) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func value<T: Decodable>(_ text: String) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}
