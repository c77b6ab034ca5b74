import CardNetworkLink
import CardVault
import FluentKit
import Foundation
import KeyInCore

// Rows to records and back: the only place that knows how a domain value is spelled in a column.

extension PaymentRecord {
    /// The payment's row as `PaymentStore.open` writes it (the columns of `PaymentModel`; a capture in flight and a
    /// cancel's time are never set on a new payment).
    var row: RowInsert {
        var row = RowInsert(into: PaymentModel.schema)
        row.set("id", id)
        row.set("merchant_id", merchantID.rawValue)
        row.set("mode", mode)
        row.set("payment_key", paymentKey.rawValue)
        row.set("order_id", orderID.rawValue)
        row.set("order_lock", holdsOrder ? PaymentModel.orderLock(self) : nil)
        row.set("order_name", orderName)
        row.set("status", status)
        row.set("total_amount", totalAmount)
        row.set("balance_amount", balanceAmount)
        row.set("currency", currency)
        row.set("capture", capture)
        row.set("installment_months", installmentMonths)
        row.set("card_brand", cardBrand)
        row.set("card_company_code", cardCompanyCode)
        row.set("card_masked", cardMasked)
        row.set("card_fingerprint", cardFingerprint)
        row.set("approve_no", approveNo)
        row.set("rrn", retrievalReferenceNumber)
        row.set("trace", trace.flatMap(JSONColumn.text))
        row.set("customer_name", customerName)
        row.set("customer_email", customerEmail)
        row.set("customer_mobile_phone", customerMobilePhone)
        row.set("metadata", metadata.flatMap(JSONColumn.text))
        row.set("failure_code", failureCode?.rawValue)
        row.set("requested_at", requestedAt)
        row.set("approved_at", approvedAt)
        row.set("transaction_key", transactionKey?.rawValue)
        row.set("tax_free_amount", taxFreeAmount)
        row.set("free_installment", usesFreeInstallmentPlan)
        row.set("card_kind", cardKind.rawValue)
        row.set("card_owner", cardOwner.rawValue)
        row.set("decision", decisionReasons.isEmpty ? nil : JSONColumn.text(decisionReasons))
        row.set("opened_by", openedBy)
        row.set("authentication", authentication.flatMap(JSONColumn.text))
        return row
    }
}

extension PaymentModel {
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
        authentication = model.authentication.flatMap { JSONColumn.value($0) }
    }
}

extension SealedCard {
    /// The card record's row: the sealed number of the payment `paymentID`.
    func row(paymentID: UUID, at date: Date) -> RowInsert {
        var row = RowInsert(into: CardRecordModel.schema)
        row.set("id", UUID())
        row.set("payment_id", paymentID)
        row.set("ciphertext", ciphertext)
        row.set("wrapped_data_key", wrappedDataKey)
        row.set("master_key_id", masterKeyID)
        row.set("created_at", date)
        return row
    }
}

/// One line of a payment's timeline, as a row.
enum PaymentEventRow {
    static func row(paymentID: UUID, from: PaymentStatus?, to: PaymentStatus, code: ErrorCode?, at date: Date)
        -> RowInsert
    {
        var row = RowInsert(into: PaymentEventModel.schema)
        row.set("id", UUID())
        row.set("payment_id", paymentID)
        row.set("from_status", from?.rawValue)
        row.set("to_status", to.rawValue)
        row.set("code", code?.rawValue)
        row.set("at", date)
        return row
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

extension NetworkMessageRecord {
    /// The message's row in the conversation of the payment `paymentID`.
    func row(paymentID: UUID) -> RowInsert {
        var row = RowInsert(into: NetworkMessageModel.schema)
        row.set("id", UUID())
        row.set("payment_id", paymentID)
        row.set("at", at)
        row.set("direction", direction)
        row.set("mti", mti)
        row.set("stan", stan)
        row.set("transmitted", transmissionDateTime)
        row.set("terminal_id", terminalID)
        row.set("code", code)
        row.set("note", note)
        return row
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

extension IdempotencyClaim {
    /// The claim's row: processing, or completed with `response`; `paymentID` is the payment the request starts.
    func row(response: StoredResponse?, paymentID: UUID? = nil) -> RowInsert {
        var row = RowInsert(into: IdempotencyRecordModel.schema)
        row.set("id", UUID())
        row.set("merchant_id", merchantID.rawValue)
        row.set("idempotency_key", key)
        row.set("request_digest", requestDigest)
        row.set("state", response == nil ? IdempotencyState.processing : .completed)
        row.set("response_status", response?.status)
        row.set("response_body", response?.body)
        row.set("created_at", createdAt)
        row.set("expires_at", expiresAt)
        row.set("process_id", processID)
        row.set("payment_id", paymentID)
        return row
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
