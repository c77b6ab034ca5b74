import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPersistence
import Vapor

/// The pages people meet: the hosted key-in page of a payment link, receipts, help, and their static assets.
package struct PagesController: RouteCollection {
    package let services: GatewayServices

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("pay", ":linkKey", use: paymentPage)
        routes.on(.POST, "pay", ":linkKey", body: .collect(maxSize: "16kb"), use: pay)
        routes.get("receipts", ":paymentKey", use: receipt)
        routes.get("help", use: helpIndex)
        routes.get("help", ":entry", use: helpEntry)
        routes.get("assets", ":file", use: asset)
    }

    package func paymentPage(_ request: Request) async throws -> Response {
        let language = PageLayout.language(request)
        let link: PaymentLinkRecord
        do {
            link = try await services.paymentLinks().payable(
                linkKey: PaymentLinkKey(rawValue: request.parameters.get("linkKey") ?? ""))
        } catch let error as KeyInError {
            return PageLayout.problem(
                error, title: PageText.linkUnavailable, language: language,
                status: HTTPStatus(statusCode: error.entry.httpStatus))
        }
        if try await services.decisionPoint.isLocked(link) {
            // Locked after repeated declines (card testing, or a customer in trouble): the customer is told to
            // contact the shop, which sees why in its console.
            let response = PageLayout.document(
                title: PageText.linkUnavailable.text(in: language), language: language,
                body: """
                    <main class="page narrow">
                    <h1>\(PageText.linkUnavailable.text(in: language))</h1>
                    <p class="notice" role="alert" id="link-locked">\(PageText.linkLocked.text(in: language))</p>
                    </main>
                    """)
            response.status = .forbidden
            return response
        }
        let merchant = try await services.stores.merchants.merchant(id: link.merchantID)
        let page = HostedPaymentPage(
            link: link, merchantName: merchant?.name ?? "",
            supportText: HostedPaymentPage.supportText(merchant, language: language), language: language,
            now: request.now)
        return PageLayout.document(
            title: "\(PageText.payTitle.text(in: language)) · \(merchant?.name ?? "KeyIn")", language: language,
            body: page.html, scripts: "<script src=\"/assets/pay.js\"></script>")
    }

    /// The hosted page's payment: the link's amount and order with the card details the customer typed. The
    /// page sends one `Idempotency-Key` per attempt, so a double tap pays once.
    package func pay(_ request: Request) async throws -> Response {
        let links = services.paymentLinks()
        let link = try await links.payable(linkKey: PaymentLinkKey(rawValue: request.parameters.get("linkKey") ?? ""))
        request.storage[AuthenticatedMerchantKey.self] = .init(merchantID: link.merchantID, mode: link.mode)
        // The card fields as the API takes them; the amount and order come from the link, never the browser.
        // The customer's keys live apart from the merchant's: one they send can never block a merchant's call.
        return try await services.checkout.pay(
            request, merchantID: link.merchantID, mode: link.mode, language: request.language, paysLink: link.id,
            idempotencyNamespace: .paymentPage(link.linkKey), anonymousPayer: true,
            origin: PaymentOrigin(linkKey: link.linkKey, clientAddress: request.clientAddress)
        ) { input in
            input.amount = link.amount
            input.currency = link.currency
            input.orderId = link.orderID.rawValue
            input.orderName = link.orderName
            input.capture = true
            input.customerName = link.customerName
            input.customerEmail = link.customerEmail
            input.customerMobilePhone = link.customerMobilePhone
            input.metadata = [PaymentDTO.checkoutLinkMetadataKey: link.linkKey.rawValue]
            // What only the merchant decides, never the customer's browser: a tax-free part, paying the
            // instalment interest (무이자), and 3-D Secure (the merchant's policy decides; no result from elsewhere).
            input.taxFreeAmount = nil
            input.useFreeInstallmentPlan = nil
            input.vbv = nil
            input.threeDSecure = nil
        }
    }

    /// A receipt, found by its payment key (long and random: the key is the capability, as with the PGs' receipt
    /// links).
    package func receipt(_ request: Request) async throws -> Response {
        let language = PageLayout.language(request)
        let key = request.parameters.get("paymentKey") ?? ""
        guard let payment = try await services.stores.payments.payment(receiptKey: PaymentKey(key)),
            payment.approveNo != nil
        else {
            return PageLayout.problem(
                KeyInError(.notFoundPayment), title: PageText.receiptTitle, language: language, status: .notFound)
        }
        let cancels = try await services.stores.cancels.cancels(of: payment.id)
        let merchant = try await services.stores.merchants.merchant(id: payment.merchantID)
        let page = ReceiptPage(
            payment: payment, cancels: cancels, merchantName: merchant?.name ?? "",
            supportText: HostedPaymentPage.supportText(merchant, language: language), language: language)
        return PageLayout.document(
            title: PageText.receiptTitle.text(in: language), language: language, body: page.html,
            scripts: "<script src=\"/assets/receipt.js\"></script>")
    }

    package func helpIndex(_ request: Request) async throws -> Response {
        let language = PageLayout.language(request)
        let query = String((request.query[String.self, at: "q"] ?? "").prefix(100))
        return PageLayout.document(
            title: PageText.helpTitle.text(in: language), language: language,
            body: HelpPages(language: language).index(query: query))
    }

    package func helpEntry(_ request: Request) async throws -> Response {
        let language = PageLayout.language(request)
        let id = request.parameters.get("entry") ?? ""
        guard let code = ErrorCode.allCases.first(where: { $0.entry.helpPageID == id }) else {
            return PageLayout.problem(
                KeyInError(.notFoundRoute), title: PageText.helpTitle, language: language, status: .notFound)
        }
        return PageLayout.document(
            title: "\(code.rawValue) · \(PageText.helpTitle.text(in: language))", language: language,
            body: HelpPages(language: language).entry(code))
    }

    package func asset(_ request: Request) async throws -> Response {
        guard let name = request.parameters.get("file"), let asset = PageAssets.shared[name] else {
            throw KeyInError(.notFoundRoute)
        }
        let response = Response(status: .ok, body: .init(string: asset.text))
        response.headers.contentType = asset.contentType
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return response
    }

    package init(services: GatewayServices) {
        self.services = services
    }
}

/// The script and stylesheet the pages load, read once from the resources. Served by KeyIn itself: no CDN.
package struct PageAssets: Sendable {
    package struct Asset: Sendable {
        package let text: String
        package let contentType: HTTPMediaType
    }

    package static let shared = PageAssets()
    private let assets: [String: Asset]

    package init() {
        var assets: [String: Asset] = [:]
        for (name, type) in [
            ("pay.js", HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])),
            ("receipt.js", HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])),
            ("chat-console.js", HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])),
            ("keyin.css", HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])),
        ] {
            let parts = name.split(separator: ".")
            if let url = Bundle.module.url(
                forResource: String(parts[0]), withExtension: String(parts[1]), subdirectory: "Public"),
                let text = try? String(contentsOf: url, encoding: .utf8)
            {
                assets[name] = Asset(text: text, contentType: type)
            }
        }
        self.assets = assets
    }

    package subscript(name: String) -> Asset? { assets[name] }
}
