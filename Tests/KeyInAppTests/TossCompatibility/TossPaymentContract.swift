import Foundation

/// Toss Payments' `Payment` object, version 2022-11-16, as its API reference (docs.tosspayments.com/reference,
/// "Payment 객체") describes it for a card payment: every field a Toss integration reads, with the JSON kinds it may
/// have and the values it may take. Transcribed by hand (names, kinds and enumerations are facts of the reference;
/// the unofficial OpenAPI transcription kms0219kms/tosspayments-api-spec agrees, except where it types amounts as
/// strings, which real answers never do). KeyIn's answers are checked against this, not against KeyIn's own
/// openapi.yaml, so a change that drifts from Toss fails here.
enum TossPaymentContract {
    enum Kind: Hashable {
        case string, number, boolean, object, array, null

        static func of(_ value: JSONValue) -> Kind {
            switch value {
            case .null: .null
            case .bool: .boolean
            case .integer, .number: .number
            case .string: .string
            case .array: .array
            case .object: .object
            }
        }
    }

    /// A field: the kinds it may have, and the values it may take when Toss lists them.
    struct Field {
        let kinds: Set<Kind>
        var values: Set<String>? = nil
    }

    static let payment: [String: Field] = [
        "version": Field(kinds: [.string], values: ["2022-11-16"]),
        "paymentKey": Field(kinds: [.string]),
        "type": Field(kinds: [.string], values: ["NORMAL", "BILLING", "BRANDPAY"]),
        "orderId": Field(kinds: [.string]),
        "orderName": Field(kinds: [.string]),
        "mId": Field(kinds: [.string]),
        "currency": Field(kinds: [.string]),
        "method": Field(
            kinds: [.string, .null], values: ["카드", "가상계좌", "간편결제", "휴대폰", "계좌이체", "문화상품권", "도서문화상품권", "게임문화상품권"]),
        "totalAmount": Field(kinds: [.number]),
        "balanceAmount": Field(kinds: [.number]),
        "status": Field(
            kinds: [.string],
            values: [
                "READY", "IN_PROGRESS", "WAITING_FOR_DEPOSIT", "DONE", "CANCELED", "PARTIAL_CANCELED", "ABORTED",
                "EXPIRED",
            ]),
        "requestedAt": Field(kinds: [.string]),
        "approvedAt": Field(kinds: [.string, .null]),
        "useEscrow": Field(kinds: [.boolean]),
        "lastTransactionKey": Field(kinds: [.string, .null]),
        "suppliedAmount": Field(kinds: [.number]),
        "vat": Field(kinds: [.number]),
        "cultureExpense": Field(kinds: [.boolean]),
        "taxFreeAmount": Field(kinds: [.number]),
        "taxExemptionAmount": Field(kinds: [.number]),
        "cancels": Field(kinds: [.array, .null]),
        "isPartialCancelable": Field(kinds: [.boolean]),
        "card": Field(kinds: [.object, .null]),
        "virtualAccount": Field(kinds: [.object, .null]),
        "mobilePhone": Field(kinds: [.object, .null]),
        "giftCertificate": Field(kinds: [.object, .null]),
        "transfer": Field(kinds: [.object, .null]),
        "metadata": Field(kinds: [.object, .null]),
        "receipt": Field(kinds: [.object, .null]),
        "checkout": Field(kinds: [.object, .null]),
        "easyPay": Field(kinds: [.object, .null]),
        "country": Field(kinds: [.string]),
        "failure": Field(kinds: [.object, .null]),
        "cashReceipt": Field(kinds: [.object, .null]),
        "cashReceipts": Field(kinds: [.array, .null]),
        "discount": Field(kinds: [.object, .null]),
        "secret": Field(kinds: [.string, .null]),
    ]

    static let card: [String: Field] = [
        "amount": Field(kinds: [.number]),
        "issuerCode": Field(kinds: [.string]),
        "acquirerCode": Field(kinds: [.string, .null]),
        "number": Field(kinds: [.string]),
        "installmentPlanMonths": Field(kinds: [.number]),
        "approveNo": Field(kinds: [.string, .null]),
        "useCardPoint": Field(kinds: [.boolean]),
        "cardType": Field(kinds: [.string], values: ["신용", "체크", "기프트", "미확인"]),
        "ownerType": Field(kinds: [.string], values: ["개인", "법인", "미확인"]),
        "acquireStatus": Field(
            kinds: [.string], values: ["READY", "REQUESTED", "COMPLETED", "CANCEL_REQUESTED", "CANCELED"]),
        "isInterestFree": Field(kinds: [.boolean]),
        "interestPayer": Field(kinds: [.string, .null], values: ["BUYER", "CARD_COMPANY", "MERCHANT"]),
    ]

    static let cancel: [String: Field] = [
        "cancelAmount": Field(kinds: [.number]),
        "cancelReason": Field(kinds: [.string]),
        "taxFreeAmount": Field(kinds: [.number]),
        "taxExemptionAmount": Field(kinds: [.number]),
        "refundableAmount": Field(kinds: [.number]),
        "easyPayDiscountAmount": Field(kinds: [.number]),
        "canceledAt": Field(kinds: [.string]),
        "transactionKey": Field(kinds: [.string]),
        "receiptKey": Field(kinds: [.string, .null]),
        "cancelStatus": Field(kinds: [.string], values: ["DONE"]),
        "cancelRequestId": Field(kinds: [.string, .null]),
    ]

    /// Toss's card-company codes (카드사 코드), Korean and international.
    static let cardCompanyCodes: Set<String> = [
        "3K", "46", "71", "30", "31", "51", "38", "41", "62", "36", "33", "W1", "37", "39", "35", "42", "15", "3A",
        "24",
        "21", "61", "11", "91", "34", "6D", "4M", "3C", "7A", "4J", "4V", "6I",
    ]

    static let failure: [String: Field] = [
        "code": Field(kinds: [.string]),
        "message": Field(kinds: [.string]),
    ]

    /// Toss writes times in Seoul with their offset, to the second.
    static var timestamp: Regex<Substring> { /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/ }

    /// Every way `payment` differs from what a Toss integration reads, each as `path: problem`.
    static func violations(of payment: JSONValue) -> [String] {
        var problems = check(payment, against: Self.payment, at: "")
        if let card = payment["card"], card != .null { problems += check(card, against: Self.card, at: "card") }
        for (index, cancel) in (payment["cancels"]?.array ?? []).enumerated() {
            problems += check(cancel, against: Self.cancel, at: "cancels[\(index)]")
            if let time = cancel["canceledAt"]?.string, time.wholeMatch(of: timestamp) == nil {
                problems.append("cancels[\(index)].canceledAt: \(time) is not a Seoul time with +09:00")
            }
        }
        if let failure = payment["failure"], failure != .null {
            problems += check(failure, against: Self.failure, at: "failure")
        }
        for name in ["requestedAt", "approvedAt"] {
            if let time = payment[name]?.string, time.wholeMatch(of: timestamp) == nil {
                problems.append("\(name): \(time) is not a Seoul time with +09:00")
            }
        }
        for name in ["receipt", "checkout"] {
            if let link = payment[name], link != .null {
                if let url = link["url"]?.string {
                    if !url.hasPrefix("https://") && !url.hasPrefix("http://") {
                        problems.append("\(name).url: \(url) is not absolute")
                    }
                } else {
                    problems.append("\(name).url is missing")
                }
            }
        }
        for name in ["issuerCode", "acquirerCode"] {
            if let code = payment["card"]?[name]?.string, !cardCompanyCodes.contains(code) {
                problems.append("card.\(name): \(code) is not one of Toss's card-company codes")
            }
        }
        return problems
    }

    private static func check(_ value: JSONValue, against fields: [String: Field], at path: String) -> [String] {
        guard let object = value.object else { return ["\(path): not an object"] }
        var problems: [String] = []
        for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
            let here = path.isEmpty ? name : "\(path).\(name)"
            guard let member = object[name] else {
                problems.append("\(here) is missing")
                continue
            }
            let kind = Kind.of(member)
            if !field.kinds.contains(kind) { problems.append("\(here): \(kind), Toss has \(field.kinds)") }
            if let allowed = field.values, let text = member.string, !allowed.contains(text) {
                problems.append("\(here): \(text) is not one of Toss's values")
            }
        }
        return problems
    }
}
