import Foundation
import KeyInCore
import KeyInPersistence
import Vapor

/// Payment links: made by a merchant, paid once by a customer on the hosted page.
package struct PaymentLinkService: Sendable {
    package let store: PaymentLinkStore
    package let now: @Sendable () -> Date

    package static let defaultValidHours = 72
    package static let maximumValidHours = 24 * 30

    package enum Status: String {
        case active = "ACTIVE"
        case paid = "PAID"
        case expired = "EXPIRED"
        case canceled = "CANCELED"
    }

    package func status(of link: PaymentLinkRecord) -> Status {
        if link.paymentKey != nil { return .paid }
        if link.canceledAt != nil { return .canceled }
        return link.expiresAt <= now() ? .expired : .active
    }

    /// The merchant's link with this id in this mode (never another merchant's, nor the other mode's).
    package func link(id: UUID?, merchantID: MerchantID, mode: PaymentMode) async throws -> PaymentLinkRecord {
        guard let id, let link = try await store.link(id: id, merchantID: merchantID, mode: mode) else {
            throw KeyInError(.notFoundPaymentLink, param: "paymentLinkId")
        }
        return link
    }

    /// Stops an active link. A paid link cannot be withdrawn, nor one a customer is paying with right now (its
    /// payment is IN_PROGRESS: the card company may approve it); an expired or withdrawn one is left as it is.
    /// One conditional update decides, so a withdrawal and a payment never both win.
    /// Returns the link as it now stands.
    @discardableResult
    package func withdraw(_ link: PaymentLinkRecord) async throws -> PaymentLinkRecord {
        switch status(of: link) {
        case .paid: throw KeyInError(.alreadyPaidPaymentLink)
        case .canceled, .expired: return link
        case .active:
            let at = now()
            guard try await !store.withdraw(id: link.id, at: at) else {
                var withdrawn = link
                withdrawn.canceledAt = at
                return withdrawn
            }
            guard let fresh = try await store.link(id: link.id) else { return link }
            if fresh.paymentKey != nil { throw KeyInError(.alreadyPaidPaymentLink) }
            if fresh.canceledAt == nil { throw KeyInError(.paymentLinkBeingPaid) }
            return fresh
        }
    }

    /// Only an active link is worth sending.
    package func requireActive(_ link: PaymentLinkRecord) throws {
        guard status(of: link) == .active else {
            throw KeyInError(link.paymentKey != nil ? .alreadyPaidPaymentLink : .expiredPaymentLink)
        }
    }

    /// A new link of `mode`: its payment will be a payment of that mode.
    package func create(_ input: CreatePaymentLinkRequest, merchantID: MerchantID, mode: PaymentMode) async throws
        -> PaymentLinkRecord
    {
        guard let amountValue = input.amount else { throw KeyInError(.invalidRequest, param: "amount") }
        let currencyCode = input.currency ?? "KRW"
        guard let currency = Currency(code: currencyCode) else {
            throw KeyInError(.notSupportedCurrency, param: "currency")
        }
        if let problem = PaymentAmountRules.problem(amount: amountValue, currency: currency) {
            throw KeyInError(problem, param: "amount")
        }
        let amount = Money(minorUnits: amountValue, currency: currency)
        let name = try PaymentService.checkOrderName(input.orderName)
        let orderID = try PaymentService.checkOrderID(input.orderId ?? "link-" + Self.randomToken(length: 12))
        let validHours = input.validHours ?? Self.defaultValidHours
        guard (1...Self.maximumValidHours).contains(validHours) else {
            throw KeyInError(.invalidRequest, param: "validHours", detail: "1-\(Self.maximumValidHours)")
        }
        let contact = try ContactCheck(
            name: input.customerName, email: input.customerEmail, mobilePhone: input.customerMobilePhone)

        let createdAt = now()
        let link = PaymentLinkRecord(
            merchantID: merchantID, mode: mode, linkKey: PaymentLinkKey(Self.randomToken(length: 24)),
            amount: amount.minorUnits,
            currency: currency.code, orderID: orderID, orderName: name, customerName: contact.name,
            customerEmail: contact.email, customerMobilePhone: contact.mobilePhone,
            expiresAt: createdAt.addingTimeInterval(Double(validHours) * 3600), createdAt: createdAt)
        do {
            try await store.create(link)
        } catch PaymentLinkStore.CreateRefusal.duplicateOrder {
            throw KeyInError(.duplicatedOrderID, param: "orderId")
        }
        return link
    }

    /// The link behind a hosted page, if it can still be paid; otherwise the catalog error that says why.
    package func payable(linkKey: PaymentLinkKey) async throws -> PaymentLinkRecord {
        guard let link = try await store.link(key: linkKey) else { throw KeyInError(.notFoundPaymentLink) }
        switch status(of: link) {
        case .active: return link
        case .paid: throw KeyInError(.alreadyPaidPaymentLink)
        case .expired, .canceled: throw KeyInError(.expiredPaymentLink)
        }
    }

    /// URL-safe random letters and digits.
    package static func randomToken(length: Int) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}

/// A customer's contact details as a merchant types them: each optional, each checked when given.
package struct ContactCheck {
    package let name: String?
    package let email: String?
    package let mobilePhone: String?

    /// Empty fields count as not given; `emailParam` and `phoneParam` name the fields in errors.
    package init(
        name: String?, email: String?, mobilePhone: String?, emailParam: String = "customerEmail",
        phoneParam: String = "customerMobilePhone"
    ) throws {
        let name = name?.trimmingCharacters(in: .whitespaces)
        if let name, name.count > 50 { throw KeyInError(.invalidRequest, param: "customerName") }
        self.name = name.flatMap { $0.isEmpty ? nil : $0 }
        self.email = try Self.parse(email, CustomerContact.email(parsing:), param: emailParam)
        self.mobilePhone = try Self.parse(mobilePhone, CustomerContact.mobilePhone(parsing:), param: phoneParam)
    }

    /// One contact as `CustomerContact` reads it; nil when not given.
    private static func parse(
        _ text: String?, _ parse: (String) -> CustomerContact?, param: String
    ) throws -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        guard let contact = parse(text) else { throw KeyInError(.invalidRequest, param: param) }
        return contact.text
    }

    /// A contact that may be either kind (an inquiry's, a chat's): told apart by the `@`.
    package static func either(_ text: String?, param: String) throws -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        guard let contact = CustomerContact(parsing: text) else { throw KeyInError(.invalidRequest, param: param) }
        return contact.text
    }
}
