import Foundation

/// Checks keyed-in card data before anything is sent, and reports every problem at once, so the customer fixes
/// the form in one go instead of one error per attempt.
public struct CardEntryValidator: Sendable {
    public let binTable: BINTable
    /// The clock; injected so tests can stand at any moment, such as the last day of a card's expiry month.
    public let now: @Sendable () -> Date

    public init(binTable: BINTable = .bundled, now: @escaping @Sendable () -> Date = { Date() }) {
        self.binTable = binTable
        self.now = now
    }

    /// Checks the fields given, and reports fields in `required` that are missing. A CVC is never required of a
    /// Korean domestic card, which is keyed in with birth date and card password instead.
    public func check(_ entry: CardEntry, requiring required: Set<CardEntryField> = []) -> CardEntryCheck {
        var problems: [FieldProblem] = []
        let number = CardNumber(typed: entry.cardNumber)
        if let problem = Self.problem(with: number) {
            problems.append(FieldProblem(.cardNumber, problem))
        }
        let brand = number?.brand

        var expiry: CardExpiry?
        if let text = entry.expiry.nonBlank {
            expiry = CardExpiry(parsing: text)
            switch expiry?.status(at: now()) {
            case nil, .implausiblyFarAhead?: problems.append(FieldProblem(.cardExpiration, .invalidCardExpiration))
            case .expired?: problems.append(FieldProblem(.cardExpiration, .expiredCard))
            case .valid?: break
            }
        } else if required.contains(.cardExpiration) {
            problems.append(FieldProblem(.cardExpiration, .invalidCardExpiration))
        }

        if let cvc = entry.cvc.nonBlank {
            let lengths = brand.map { [$0.cvcLength] } ?? [3, 4]
            if !(cvc.allSatisfy { $0.asciiDigitValue != nil } && lengths.contains(cvc.count)) {
                problems.append(FieldProblem(.cardCvc, .invalidCardCVC))
            }
        } else if required.contains(.cardCvc) && brand?.requiresCVC != false {
            problems.append(FieldProblem(.cardCvc, .invalidCardCVC))
        }

        if let identity = entry.customerIdentityNumber.nonBlank {
            if CustomerIdentityNumber(parsing: identity) == nil {
                problems.append(FieldProblem(.customerIdentityNumber, .invalidCardIdentityFormat))
            }
        } else if required.contains(.customerIdentityNumber) {
            problems.append(FieldProblem(.customerIdentityNumber, .invalidCardIdentityFormat))
        }

        if let password = entry.cardPassword.nonBlank {
            if !(password.count == 2 && password.allSatisfy { $0.asciiDigitValue != nil }) {
                problems.append(FieldProblem(.cardPassword, .invalidCardPasswordFormat))
            }
        } else if required.contains(.cardPassword) {
            problems.append(FieldProblem(.cardPassword, .invalidCardPasswordFormat))
        }

        var money: Money?
        let currency = Currency(code: entry.currency.nonBlank ?? Currency.krw.code)
        if currency == nil { problems.append(FieldProblem(.currency, .notSupportedCurrency)) }
        if let amount = entry.amount {
            if let currency {
                if let problem = PaymentAmountRules.problem(amount: amount, currency: currency) {
                    problems.append(FieldProblem(.amount, problem))
                } else {
                    money = Money(minorUnits: amount, currency: currency)
                }
            }
        } else if required.contains(.amount) {
            problems.append(FieldProblem(.amount, .invalidAmount))
        }

        if let months = entry.installmentMonths,
            let problem = PaymentAmountRules.problem(installmentMonths: months, amount: money)
        {
            problems.append(FieldProblem(.cardInstallmentPlan, problem))
        }

        let row = number.flatMap { binTable.row(for: $0) }
        return CardEntryCheck(
            cardNumber: number.flatMap { $0.digits.isEmpty ? nil : $0 },
            brand: brand,
            company: row?.company,
            kind: row?.kind ?? .unknown,
            owner: row?.owner ?? .unknown,
            expiry: expiry,
            amount: money,
            problems: problems)
    }

    /// The first thing wrong with a card number, checked in the order a person would fix them.
    static func problem(with number: CardNumber?) -> ErrorCode? {
        guard let number else { return .invalidCardNumberFormat }
        switch number.brandDetection {
        case .unsupported:
            return .notSupportedCardType
        case .undetermined:
            return .invalidCardNumberLength
        case .known(let brand):
            guard brand.validLengths.contains(number.digits.count) else { return .invalidCardNumberLength }
            return Luhn.isValid(number.digits) ? nil : .invalidCardNumber
        }
    }
}

/// The outcome of a check: what could be recognised, and every problem found.
public struct CardEntryCheck: Sendable {
    /// The number as digits, when it could be read at all.
    public let cardNumber: CardNumber?
    public let brand: CardBrand?
    public let company: CardCompany?
    /// Credit, check or gift, as the BIN table says (`unknown` when it does not).
    public let kind: CardKind
    /// Personal or corporate, as the BIN table says.
    public let owner: CardOwnerType
    public let expiry: CardExpiry?
    public let amount: Money?
    public let problems: [FieldProblem]

    public var isValid: Bool { problems.isEmpty }

    /// First six and last four digits; the full number is never shown.
    public var maskedNumber: String? { cardNumber?.masked }
}

extension Optional where Wrapped == String {
    /// The text when it holds anything but white space.
    var nonBlank: String? {
        guard let self, !self.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return self.trimmingCharacters(in: .whitespaces)
    }
}
