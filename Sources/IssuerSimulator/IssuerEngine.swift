import Foundation
import ISO8583
import KeyInCore

/// What the host does with one request.
public enum IssuerReply: Sendable, Equatable {
    /// Send these, in order.
    case respond([ISO8583Message])
    /// The answer is held (the `answers_late` card): send what `releaseHeldAnswer(key)` returns after this long.
    /// A reversal of the held request releases it first, so the late answer always crosses the reversal.
    case hold(key: String, afterMilliseconds: Int)
    /// Process it and never answer (the `never_answers` card).
    case noAnswer
    /// Process it, then close the connection without answering (the `drops_connection` card).
    case dropConnection
}

/// The card companies' decisions, with no network in the way: accounts, limits, cardholder checks, maintenance
/// windows, captures, refunds, reversals, and the ledger of all of it.
public actor IssuerEngine {
    public nonisolated let configuration: IssuerConfiguration
    private let binTable: BINTable
    private let now: @Sendable () -> Date
    private let maintenance: MaintenanceSchedule
    private var ledger: [LedgerEntry] = []
    /// Credit in use per card number.
    private var used: [String: Int64] = [:]
    /// Requests already seen, to answer a duplicate transmission with 94.
    private var seen: Set<String> = []
    /// 3-D Secure authentication values that approved a payment: each authenticates one payment only.
    private var spentAuthenticationValues: Set<String> = []
    /// The keys in `seen`, oldest first from `seenNext` once full: a ring, so forgetting the oldest moves nothing.
    private var seenOrder: [String] = []
    private var seenNext = 0
    /// How many duplicate keys are remembered.
    static let rememberedRequests = 100_000
    private var sequence = 0
    /// Answers of `answers_late` cards not yet sent, by request key.
    private var heldAnswers: [String: ISO8583Message] = [:]
    private let receivedContinuation: AsyncStream<ISO8583Message>.Continuation

    /// Every request the engine handles, as it handles it: lets a test wait until the host has seen a message.
    public nonisolated let received: AsyncStream<ISO8583Message>

    public init(
        configuration: IssuerConfiguration = .default, binTable: BINTable = .bundled,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.binTable = binTable
        self.now = now
        self.maintenance = MaintenanceSchedule(windows: configuration.maintenanceWindows)
        (received, receivedContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1000))
    }

    public func entries() -> [LedgerEntry] { ledger }

    public func handle(_ request: ISO8583Message) -> IssuerReply {
        defer { receivedContinuation.yield(request) }
        switch request.mti {
        case .networkManagementRequest:
            return .respond([request.response(code: "00")])
        case .authorizationRequest, .financialRequest, .financialAdvice:
            if isDuplicate(request) { return .respond([request.response(code: "94")]) }
            if request.mti == .financialAdvice { return followUpReply(capture(request), to: request) }
            if request[.processingCode] == "200000" { return followUpReply(refund(request), to: request) }
            return authorize(request)
        case .reversalRequest, .reversalRepeat:
            return .respond(reverse(request))
        default:
            return .respond([request.response(code: "12")])
        }
    }

    /// A capture's or refund's answer, withheld for a card scripted never to answer them.
    private func followUpReply(_ response: ISO8583Message, to request: ISO8583Message) -> IssuerReply {
        let account = configuration.accounts.first { $0.cardNumber == request[.primaryAccountNumber] }
        return account?.behaviour == .neverAnswersFollowUps ? .noAnswer : .respond([response])
    }

    // MARK: Authorizations and sales

    private func authorize(_ request: ISO8583Message) -> IssuerReply {
        let required: [DataElement] = [
            .primaryAccountNumber, .processingCode, .amount, .transmissionDateTime, .systemTraceAuditNumber,
            .expirationDate, .terminalID, .merchantID, .currencyCode,
        ]
        guard required.allSatisfy({ request[$0] != nil }), let pan = request[.primaryAccountNumber],
            let amount = Int64(request[.amount] ?? "")
        else { return .respond([request.response(code: "30")]) }
        let kind: LedgerEntry.Kind = request.mti == .authorizationRequest ? .authorization : .sale
        let additional = request.additionalData ?? AdditionalData()
        let installments = Int(additional[.installmentMonths] ?? "00") ?? 0
        let company = CardNumber(typed: pan).flatMap { binTable.company(for: $0) }?.code
        let account = configuration.accounts.first { $0.cardNumber == pan }

        let code = decide(
            request: request, pan: pan, amount: amount, additional: additional, installments: installments,
            company: company, account: account)
        if code.responseCode != "00" {
            var response = request.response(code: code.responseCode)
            if let end = code.maintenanceEnd {
                response.additionalData = AdditionalData([.maintenanceEnd: Self.seoulStamp(end)])
            }
            record(request, kind: kind, code: code.responseCode, company: company, installments: installments)
            return .respond([response])
        }

        used[pan, default: 0] += amount
        if let value = additional[.authenticationValue] { spentAuthenticationValues.insert(value) }
        let (approvalCode, assigned) = nextReferences()
        let rrn = reference(for: request, assigned: assigned)
        record(
            request, kind: kind, code: "00", company: company, installments: installments, approvalCode: approvalCode,
            rrn: rrn)
        var response = request.response(code: "00")
        response[.approvalCode] = approvalCode
        answer(&response, reference: rrn)
        switch account?.behaviour {
        case .neverAnswers?: return .noAnswer
        case .dropsConnection?: return .dropConnection
        case .neverAnswersFollowUps?: return .respond([response])
        case .answersLate?:
            let key = Self.requestKey(request)
            heldAnswers[key] = response
            return .hold(key: key, afterMilliseconds: configuration.lateAnswerMilliseconds)
        case nil: return .respond([response])
        }
    }

    private func decide(
        request: ISO8583Message, pan: String, amount: Int64, additional: AdditionalData, installments: Int,
        company: String?, account: IssuerConfiguration.Account?
    ) -> (responseCode: String, maintenanceEnd: Date?) {
        if let company, let end = maintenance.windowEnd(company: company, at: now()) { return ("91", end) }
        if let scripted = account?.responseCode { return (scripted, nil) }
        guard Luhn.isValid(pan) else { return ("14", nil) }
        guard amount > 0, amount <= configuration.maximumAmount else { return ("13", nil) }
        if installments > 0 && (request[.currencyCode] != "410" || amount < 50_000) { return ("12", nil) }
        if let expiry = request[.expirationDate], isExpired(yymm: expiry) { return ("54", nil) }
        if let identity = additional[.customerIdentity],
            identity != configuration.cardholderBirthDate && identity != configuration.cardholderBusinessNumber
        {
            return ("Q1", nil)
        }
        if let digits = additional[.cardPasswordDigits], digits != configuration.cardPasswordDigits {
            return ("55", nil)
        }
        if let value = additional[.authenticationValue] {
            let issued = configuration.authenticationValue(
                cardNumber: pan, transactionID: additional[.authenticationTransactionID], eci: additional[.eci] ?? "",
                amount: amount, currencyCode: request[.currencyCode] ?? "")
            guard value == issued, !spentAuthenticationValues.contains(value) else { return ("Q2", nil) }
        }
        let limit = account?.creditLimit ?? configuration.defaultCreditLimit
        if used[pan, default: 0] + amount > limit { return ("51", nil) }
        return ("00", nil)
    }

    /// Element 14 names a month already over (Seoul time), or no month at all.
    private func isExpired(yymm: String) -> Bool {
        guard let expiry = CardExpiry(yymm: yymm) else { return true }
        return expiry.status(at: now()) == .expired
    }

    // MARK: Captures and refunds

    private func capture(_ request: ISO8583Message) -> ISO8583Message {
        guard let rrn = request.additionalData?[.originalRRN], let amount = Int64(request[.amount] ?? "") else {
            return request.response(code: "30")
        }
        guard
            let index = ledger.firstIndex(where: {
                $0.kind == .authorization && $0.isApproved && !$0.reversed && $0.retrievalReferenceNumber == rrn
            })
        else {
            record(request, kind: .capture, code: "12", company: nil, originalRRN: rrn)
            return request.response(code: "12")
        }
        let original = ledger[index]
        guard amount > 0, amount <= original.amount - original.settledAmount else {
            record(request, kind: .capture, code: "13", company: original.company, originalRRN: rrn)
            return request.response(code: "13")
        }
        ledger[index].settledAmount += amount
        // A capture for less than was held releases the rest of the hold.
        if let pan = request[.primaryAccountNumber], ledger[index].settledAmount < original.amount {
            used[pan, default: 0] -= original.amount - ledger[index].settledAmount
            ledger[index].settledAmount = original.amount
        }
        let newRRN = reference(for: request, assigned: nextReferences().rrn)
        record(
            request, kind: .capture, code: "00", company: original.company, approvalCode: original.approvalCode,
            rrn: newRRN, originalRRN: rrn, amountOverride: amount)
        var response = request.response(code: "00")
        response[.approvalCode] = original.approvalCode
        answer(&response, reference: newRRN)
        return response
    }

    private func refund(_ request: ISO8583Message) -> ISO8583Message {
        guard let rrn = request.additionalData?[.originalRRN], let amount = Int64(request[.amount] ?? "") else {
            return request.response(code: "30")
        }
        guard
            let index = ledger.firstIndex(where: {
                ($0.kind == .sale || $0.kind == .capture) && $0.isApproved && !$0.reversed
                    && $0.retrievalReferenceNumber == rrn
            })
        else {
            record(request, kind: .refund, code: "12", company: nil, originalRRN: rrn)
            return request.response(code: "12")
        }
        let original = ledger[index]
        guard amount > 0, amount <= original.amount - original.settledAmount else {
            record(request, kind: .refund, code: "13", company: original.company, originalRRN: rrn)
            return request.response(code: "13")
        }
        ledger[index].settledAmount += amount
        if let pan = request[.primaryAccountNumber] { used[pan, default: 0] -= amount }
        let (approvalCode, assigned) = nextReferences()
        let newRRN = reference(for: request, assigned: assigned)
        record(
            request, kind: .refund, code: "00", company: original.company, approvalCode: approvalCode, rrn: newRRN,
            originalRRN: rrn)
        var response = request.response(code: "00")
        response[.approvalCode] = approvalCode
        answer(&response, reference: newRRN)
        return response
    }

    // MARK: Reversals

    /// Cancels the message element 90 names. A reversal of something never received, or already reversed, is
    /// answered 00 as well: either way nothing of it stands any more, which is all the gateway needs to know.
    private func reverse(_ request: ISO8583Message) -> [ISO8583Message] {
        guard let text = request[.originalDataElements], let original = try? OriginalDataElements(parsing: text),
            let terminal = request[.terminalID]
        else { return [request.response(code: "30")] }
        let heldKey = Self.requestKey(
            mti: original.messageType.rawValue, stan: original.systemTraceAuditNumber, terminal: terminal,
            transmission: original.transmissionDateTime)
        let late = heldAnswers.removeValue(forKey: heldKey).map { [$0] } ?? []
        let index = ledger.firstIndex {
            $0.stan == original.systemTraceAuditNumber && $0.transmissionDateTime == original.transmissionDateTime
                && $0.terminalID == terminal && $0.kind != .reversal
        }
        var cancelledRRN: String?
        if let index, ledger[index].isApproved, !ledger[index].reversed {
            ledger[index].reversed = true
            let entry = ledger[index]
            cancelledRRN = entry.retrievalReferenceNumber
            let pan = ledgerPAN[index] ?? ""
            let originalIndex = entry.originalRRN.flatMap { rrn in
                ledger.firstIndex { $0.retrievalReferenceNumber == rrn && $0.kind != .reversal }
            }
            switch entry.kind {
            case .authorization:
                used[pan, default: 0] -= entry.amount - entry.settledAmount
            case .sale:
                used[pan, default: 0] -= entry.amount
            case .refund:
                used[pan, default: 0] += entry.amount
                if let originalIndex { ledger[originalIndex].settledAmount -= entry.amount }
            case .capture:
                // The authorization holds its full amount again, uncaptured.
                if let originalIndex {
                    used[pan, default: 0] += ledger[originalIndex].amount - entry.amount
                    ledger[originalIndex].settledAmount = 0
                }
            case .reversal:
                break
            }
        }
        if request.mti == .reversalRequest || cancelledRRN != nil {
            record(request, kind: .reversal, code: "00", company: nil, originalRRN: cancelledRRN)
        }
        return late + [request.response(code: "00")]
    }

    /// The held answer of an `answers_late` card, once; nil when a reversal already released it.
    public func releaseHeldAnswer(_ key: String) -> ISO8583Message? {
        heldAnswers.removeValue(forKey: key)
    }

    // MARK: Bookkeeping

    /// The card number of each ledger entry, index for index, kept apart from the entries so the printable ledger
    /// never holds them.
    private var ledgerPAN: [String?] = []
    /// How many entries still in the books each card number has.
    private var entriesByPAN: [String: Int] = [:]

    /// Closes the oldest entries once the books hold a tenth more than they keep (so closing is rare and in bulk):
    /// they leave the ledger, and a card left with none has its balance settled.
    private func closeOldEntries() {
        let retained = configuration.retainedTransactions
        guard ledger.count > retained + max(1, retained / 10) else { return }
        let closing = ledger.count - retained
        for case let pan? in ledgerPAN.prefix(closing) {
            let left = (entriesByPAN[pan] ?? 1) - 1
            if left > 0 {
                entriesByPAN[pan] = left
            } else {
                entriesByPAN.removeValue(forKey: pan)
                used.removeValue(forKey: pan)
            }
        }
        ledger.removeFirst(closing)
        ledgerPAN.removeFirst(closing)
    }

    private func record(
        _ request: ISO8583Message, kind: LedgerEntry.Kind, code: String, company: String?, installments: Int = 0,
        approvalCode: String? = nil, rrn: String? = nil, originalRRN: String? = nil, amountOverride: Int64? = nil
    ) {
        let pan = request[.primaryAccountNumber]
        ledgerPAN.append(pan)
        if let pan { entriesByPAN[pan, default: 0] += 1 }
        ledger.append(
            LedgerEntry(
                kind: kind, company: company, maskedCardNumber: pan.flatMap { CardNumber(typed: $0)?.masked },
                amount: amountOverride ?? Int64(request[.amount] ?? "") ?? 0,
                currencyCode: request[.currencyCode] ?? "",
                stan: request[.systemTraceAuditNumber] ?? "",
                transmissionDateTime: request[.transmissionDateTime] ?? "",
                terminalID: request[.terminalID] ?? "", merchantID: request[.merchantID] ?? "", responseCode: code,
                approvalCode: approvalCode, retrievalReferenceNumber: rrn, originalRRN: originalRRN,
                installmentMonths: installments,
                merchantPaysInterest: request.additionalData?[.merchantPaysInterest] == "1",
                posCondition: request[.posConditionCode], recordedAt: now(), reversed: false, settledAmount: 0))
        closeOldEntries()
    }

    static func requestKey(mti: String, stan: String, terminal: String, transmission: String) -> String {
        [mti, stan, terminal, transmission].joined(separator: "|")
    }

    static func requestKey(_ request: ISO8583Message) -> String {
        requestKey(
            mti: request.mti.rawValue, stan: request[.systemTraceAuditNumber] ?? "",
            terminal: request[.terminalID] ?? "",
            transmission: request[.transmissionDateTime] ?? "")
    }

    private func isDuplicate(_ request: ISO8583Message) -> Bool {
        let key = Self.requestKey(request)
        guard seen.insert(key).inserted else { return true }
        if seenOrder.count < Self.rememberedRequests {
            seenOrder.append(key)
        } else {
            seen.remove(seenOrder[seenNext])
            seenOrder[seenNext] = key
            seenNext = (seenNext + 1) % Self.rememberedRequests
        }
        return false
    }

    /// A 6-digit approval code and a 12-digit RRN (Seoul date `YYMMDD` and a 6-digit sequence).
    /// The reference an approval is kept under (and follow-ups quote): the host's own, or, for a host that keeps
    /// the acquirer's, the one the request carried.
    private func reference(for request: ISO8583Message, assigned: String) -> String {
        configuration.referenceNumbers == .assigns ? assigned : request[.retrievalReferenceNumber] ?? assigned
    }

    /// Puts the reference into an approval, unless this host leaves element 37 out of its answers.
    private func answer(_ response: inout ISO8583Message, reference: String) {
        if configuration.referenceNumbers != .omits { response[.retrievalReferenceNumber] = reference }
    }

    private func nextReferences() -> (approvalCode: String, rrn: String) {
        sequence += 1
        let parts = SeoulTime.calendar.dateComponents([.year, .month, .day], from: now())
        let date = String(format: "%02d%02d%02d", (parts.year ?? 0) % 100, parts.month ?? 0, parts.day ?? 0)
        return (
            String(format: "%06d", (sequence * 7919) % 1_000_000), date + String(format: "%06d", sequence % 1_000_000)
        )
    }

    static func seoulStamp(_ date: Date) -> String {
        let parts = SeoulTime.calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%02d%02d%02d%02d%02d", (parts.year ?? 0) % 100, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }
}
