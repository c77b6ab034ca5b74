import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInPersistence
import Vapor

/// `/console`: merchant staff sign in, see how payments go, find and cancel payments, and key in phone orders.
package struct ConsoleController: RouteCollection {
    package let services: GatewayServices

    package func boot(routes: any RoutesBuilder) throws {
        let console = routes.grouped("console")
        console.get("login", use: loginPage)
        console.on(.POST, "login", body: .collect(maxSize: "4kb"), use: login)
        console.get("forgot", use: forgotPage)
        console.on(.POST, "forgot", body: .collect(maxSize: "2kb"), use: forgot)
        console.get("reset", ":token", use: resetPage)
        console.on(.POST, "reset", ":token", body: .collect(maxSize: "2kb"), use: reset)
        let signedIn = console.grouped(ConsoleAuthenticator(services: services))
        signedIn.get("password", use: passwordPage)
        signedIn.on(.POST, "password", body: .collect(maxSize: "2kb"), use: changePassword)
        signedIn.on(.POST, "logout", body: .collect(maxSize: "1kb"), use: logout)
        signedIn.on(.POST, "mode", body: .collect(maxSize: "1kb"), use: switchMode)
        signedIn.get(use: dashboard)
        signedIn.get("payments", use: payments)
        signedIn.get("payments", ":paymentKey", use: payment)
        signedIn.on(.POST, "payments", ":paymentKey", "cancel", body: .collect(maxSize: "4kb"), use: cancel)
        signedIn.get("terminal", use: terminalPage)
        signedIn.on(.POST, "terminal", body: .collect(maxSize: "16kb"), use: terminalPay)
        signedIn.get("links", use: links)
        signedIn.on(.POST, "links", body: .collect(maxSize: "4kb"), use: createLink)
        signedIn.on(.POST, "links", ":paymentLinkId", "cancel", body: .collect(maxSize: "1kb"), use: withdrawLink)
        signedIn.on(.POST, "links", ":paymentLinkId", "send", body: .collect(maxSize: "2kb"), use: resendLink)
        signedIn.get("webhooks", use: webhooks)
        signedIn.on(
            .POST, "webhooks", ":webhookId", "deliveries", ":deliveryId", "retry", body: .collect(maxSize: "1kb"),
            use: retryWebhookDelivery)
        signedIn.get("inquiries", use: inquiries)
        signedIn.get("inquiries", ":inquiryId", use: inquiry)
        signedIn.on(.POST, "inquiries", ":inquiryId", "reply", body: .collect(maxSize: "8kb"), use: replyToInquiry)
        signedIn.get("feedback", use: feedback)
        signedIn.get("chat", use: chat)
        signedIn.get("alerts", use: alerts)
        // The shop's keys, people, webhook endpoints and settings: owners only.
        let owners = signedIn.grouped(OwnersOnly())
        owners.on(.POST, "webhooks", body: .collect(maxSize: "4kb"), use: createWebhook)
        owners.on(.POST, "webhooks", ":webhookId", "remove", body: .collect(maxSize: "1kb"), use: removeWebhook)
        owners.get("keys", use: keys)
        owners.get("staff", use: staffPage)
        owners.on(.POST, "staff", body: .collect(maxSize: "4kb"), use: addStaff)
        owners.on(.POST, "staff", ":staffId", "remove", body: .collect(maxSize: "1kb"), use: removeStaff)
        owners.get("settings", use: settings)
        owners.on(.POST, "settings", body: .collect(maxSize: "4kb"), use: saveSettings)
    }

    package func page(_ title: String, _ request: Request, current: String, _ body: HTML, scripts: HTML = "") throws
        -> Response
    {
        PageLayout.document(
            title: "\(title) · KeyIn 콘솔", language: .korean,
            body: ConsolePages.layout(title, staff: try request.consoleStaff, current: current, body: body),
            scripts: scripts)
    }

    // MARK: Sign-in

    package struct LoginForm: Content {
        package var email: String?
        package var password: String?
        /// The sign-in form's CSRF token, which must match the `keyin_console_login` cookie the page set.
        package var _csrf: String?
    }

    /// Before anyone is signed in there is no session to hold a CSRF token, so the sign-in form is guarded by a
    /// double-submit token: the page sets it as a cookie only this origin can read back and puts it in the form;
    /// a sign-in posted from another site (to sign a victim into the attacker's account) lacks one or the other.
    static let loginTokenCookie = "keyin_console_login"

    package func loginPage(_ request: Request) async throws -> Response {
        loginDocument(error: nil, email: "", passwordWasReset: request.query[String.self, at: "reset"] != nil)
    }

    /// The sign-in page with a fresh form token, in the form and in its cookie.
    private func loginDocument(error: KeyInError?, email: String, passwordWasReset: Bool) -> Response {
        let token = SecretToken.random(bytes: 16)
        let response = PageLayout.document(
            title: "KeyIn 콘솔 로그인", language: .korean,
            body: ConsolePages.login(error: error, email: email, passwordWasReset: passwordWasReset, csrf: token))
        response.cookies[Self.loginTokenCookie] = HTTPCookies.Value(
            string: token, maxAge: 3600, path: "/console/login", isSecure: services.secureCookies, isHTTPOnly: true,
            sameSite: .strict)
        if let error { response.status = HTTPStatus(statusCode: error.entry.httpStatus) }
        return response
    }

    package func login(_ request: Request) async throws -> Response {
        let form = request.consoleForm(LoginForm.self) ?? LoginForm()
        do {
            guard let sent = form._csrf, !sent.isEmpty, sent == request.cookies[Self.loginTokenCookie]?.string else {
                throw KeyInError(.invalidCSRFToken)
            }
            // Guessing from one address is capped whatever accounts it tries (each account also locks by itself).
            try await services.attemptLimits.admit(AttemptLimits.signInPerAddress, subject: request.clientAddress)
            let (token, session) = try await services.staff().signIn(
                email: form.email ?? "", password: form.password ?? "")
            let response = request.redirect(to: "/console", redirectType: .normal)
            response.cookies[ConsoleAuthenticator.cookieName] = HTTPCookies.Value(
                string: token, expires: session.expiresAt, maxAge: Int(StaffAccounts.sessionSeconds), path: "/console",
                isSecure: services.secureCookies, isHTTPOnly: true, sameSite: .strict)
            return response
        } catch let error as KeyInError {
            return loginDocument(error: error, email: form.email ?? "", passwordWasReset: false)
        }
    }

    package func logout(_ request: Request) async throws -> Response {
        if let token = request.cookies[ConsoleAuthenticator.cookieName]?.string {
            try await services.staff().signOut(token: token)
        }
        let response = request.redirect(to: "/console/login", redirectType: .normal)
        response.cookies[ConsoleAuthenticator.cookieName] = HTTPCookies.Value(
            string: "", expires: Date(timeIntervalSince1970: 0), path: "/console", isHTTPOnly: true, sameSite: .strict)
        return response
    }

    package struct ModeForm: Content {
        package var mode: String?
    }

    /// The switch between test and live data: every list, figure and form shows and makes the chosen mode's.
    package func switchMode(_ request: Request) async throws -> Response {
        let form = request.consoleForm(ModeForm.self) ?? ModeForm()
        guard let mode = form.mode.flatMap(PaymentMode.init(rawValue:)) else {
            throw KeyInError(.invalidRequest, param: "mode", detail: "test or live")
        }
        let response = request.redirect(to: "/console", redirectType: .normal)
        response.cookies[ConsoleAuthenticator.modeCookieName] = HTTPCookies.Value(
            string: mode.rawValue, maxAge: 365 * 86_400, path: "/console", isSecure: services.secureCookies,
            isHTTPOnly: true, sameSite: .strict)
        return response
    }

    // MARK: Dashboard and payments

    package func dashboard(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let figures = try await DashboardFigures.load(
            merchantID: staff.merchantID, mode: staff.mode, now: services.now(), from: services.stores.dashboard)
        return try page("대시보드", request, current: "/console", ConsolePages.dashboard(figures))
    }

    package func payments(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        var filter = ConsolePages.PaymentFilter()
        filter.status = request.query[String.self, at: "status"] ?? ""
        filter.category = request.query[String.self, at: "category"] ?? ""
        filter.company = request.query[String.self, at: "company"] ?? ""
        filter.query = String(
            (request.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces).prefix(64))
        filter.cursor = request.query[String.self, at: "cursor"] ?? ""
        var search = PaymentSearch(
            status: PaymentStatus(rawValue: filter.status), companyCode: filter.company.isEmpty ? nil : filter.company,
            text: filter.query, cursor: PaymentCursor(encoded: filter.cursor), limit: ConsolePages.paymentsPerPage)
        if let category = ErrorCategory(rawValue: filter.category) {
            search.failureCodes = ErrorCode.allCases.filter { $0.entry.category == category }
        }
        let found = try await services.stores.search(search, merchantID: staff.merchantID, mode: staff.mode)
        return try page(
            "결제 내역", request, current: "/console/payments",
            ConsolePages.payments(found.payments, filter: filter, next: found.next))
    }

    package func payment(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let payment = try await PaymentsController.payment(request, services: services)
        let store = services.stores.payments
        let events = try await store.events(of: payment.id)
        let cancels = try await services.stores.cancels.cancels(of: payment.id)
        let network = NetworkConversation.ordered(try await store.networkMessages(of: payment.id))
        let deliveries = try await services.stores.webhooks.deliveries(
            of: staff.merchantID, mode: staff.mode, paymentKey: payment.paymentKey)
        var notice = ConsolePages.errorNotice(request)
        if notice == nil, request.query[String.self, at: "canceled"] != nil {
            notice = "<p class=\"done\" role=\"status\" id=\"console-done\">취소했습니다.</p>"
        }
        return try page(
            "결제 상세", request, current: "/console/payments",
            ConsolePages.paymentDetail(
                payment, events: events, network: network, cancels: cancels, deliveries: deliveries, staff: staff,
                notice: notice))
    }

    package struct CancelForm: Content {
        package var cancelAmount: String?
        package var cancelReason: String?
    }

    /// The console's cancel: the same service as the API, answered with the detail page and what happened.
    package func cancel(_ request: Request) async throws -> Response {
        let payment = try await PaymentsController.payment(request, services: services)
        let form = request.consoleForm(CancelForm.self) ?? CancelForm()
        let target = "/console/payments/\(payment.paymentKey)"
        do {
            let amountText = (form.cancelAmount ?? "").filter { $0 != "," }.trimmingCharacters(in: .whitespaces)
            var amount: Int64?
            if !amountText.isEmpty {
                guard let value = Int64(amountText) else {
                    throw KeyInError(.notCancelableAmount, param: "cancelAmount")
                }
                amount = value
            }
            guard let reason = form.cancelReason?.trimmingCharacters(in: .whitespaces), !reason.isEmpty else {
                throw KeyInError(.invalidRequest, param: "cancelReason")
            }
            _ = try await services.cancels(request.logger).cancel(
                payment, .init(reason: String(reason.prefix(200)), amount: amount, refundableAmount: nil))
            return request.redirect(to: target + "?canceled=1", redirectType: .normal)
        } catch let error as KeyInError {
            return request.redirect(to: target + "?error=\(error.code.rawValue)", redirectType: .normal)
        }
    }

    // MARK: Virtual terminal

    package func terminalPage(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        return try page(
            "가상 단말기", request, current: "/console/terminal",
            VirtualTerminalPage(csrfToken: staff.csrfToken, now: request.now).html,
            scripts: "<script src=\"/assets/pay.js\"></script>")
    }

    /// A phone order keyed in by staff: the same checks and the same payment as the API, one per attempt.
    package func terminalPay(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        // The same request as `POST /v1/payments/key-in`, marked as keyed in by this staff member.
        return try await services.checkout.pay(
            request, merchantID: staff.merchantID, mode: staff.mode, language: .korean,
            origin: PaymentOrigin(keyedByStaff: true)
        ) { input in
            input.metadata = ["channel": "virtual_terminal", "staff": staff.email]
        }
    }

    // MARK: Links, webhooks, keys

    package struct LinkForm: Content {
        package var amount: String?
        package var orderName: String?
        package var customerMobilePhone: String?
        package var sendSMS: String?
    }

    package func links(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let links = try await services.stores.paymentLinks.newest(of: staff.merchantID, mode: staff.mode, limit: 50)
        // Only the links' own messages: other mail (password resets above all) is not for every member to read.
        let messages = try await services.stores.messages.newest(
            of: staff.merchantID, subjectPrefix: "payment_link:", limit: 50)
        let service = services.paymentLinks()
        var notice = ConsolePages.errorNotice(request)
        if request.query[String.self, at: "sent"] != nil {
            notice = "<p class=\"done\" role=\"status\" id=\"link-sent\">문자 발송을 요청했습니다. 아래 보낸 메시지에서 상태를 확인할 수 있습니다.</p>"
        }
        return try page(
            "결제 링크", request, current: "/console/links",
            ConsoleListPages.links(
                links, status: { service.status(of: $0).rawValue }, baseURL: services.publicBaseURL,
                messages: messages, csrf: staff.csrfToken, notice: notice))
    }

    package func createLink(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let form = request.consoleForm(LinkForm.self) ?? LinkForm()
        do {
            var input = CreatePaymentLinkRequest()
            input.amount = Int64((form.amount ?? "").filter { $0 != "," }.trimmingCharacters(in: .whitespaces))
            input.orderName = form.orderName
            input.customerMobilePhone = form.customerMobilePhone
            _ = try services.links.link(for: staff.mode)
            let link = try await services.paymentLinks().create(input, merchantID: staff.merchantID, mode: staff.mode)
            if form.sendSMS != nil, link.customerMobilePhone != nil {
                try await services.paymentLinkMessenger(request.logger).send(link, channel: .sms, recipient: nil)
            }
            return request.redirect(to: "/console/links", redirectType: .normal)
        } catch let error as KeyInError {
            return request.redirect(to: "/console/links?error=\(error.code.rawValue)", redirectType: .normal)
        }
    }

    /// Stops a link that should no longer be paid (the order changed, it was sent to the wrong person).
    package func withdrawLink(_ request: Request) async throws -> Response {
        let link = try await consoleLink(request)
        do {
            try await services.paymentLinks().withdraw(link)
            return request.redirect(to: "/console/links", redirectType: .normal)
        } catch let error as KeyInError {
            return request.redirect(to: "/console/links?error=\(error.code.rawValue)", redirectType: .normal)
        }
    }

    package struct ResendForm: Content {
        package var customerMobilePhone: String?
    }

    /// Sends an active link by SMS again: to the number typed, or to the one on the link.
    package func resendLink(_ request: Request) async throws -> Response {
        let link = try await consoleLink(request)
        let form = request.consoleForm(ResendForm.self) ?? ResendForm()
        do {
            try services.paymentLinks().requireActive(link)
            try await services.paymentLinkMessenger(request.logger).send(
                link, channel: .sms, recipient: form.customerMobilePhone)
            return request.redirect(to: "/console/links?sent=1", redirectType: .normal)
        } catch let error as KeyInError {
            return request.redirect(to: "/console/links?error=\(error.code.rawValue)", redirectType: .normal)
        }
    }

    private func consoleLink(_ request: Request) async throws -> PaymentLinkRecord {
        try await services.paymentLinks().link(
            id: request.parameters.get("paymentLinkId").flatMap(UUID.init(uuidString:)),
            merchantID: try request.consoleStaff.merchantID, mode: try request.consoleStaff.mode)
    }

    package func alerts(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let blocks = try await services.stores.blocks.newest(of: staff.merchantID, mode: staff.mode, limit: 100)
        return try page(
            "이상 거래 알림", request, current: "/console/alerts", ConsoleListPages.alerts(blocks, now: services.now()))
    }

    package func keys(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let keys = try await services.stores.merchants.keys(of: staff.merchantID)
        return try page("API 키", request, current: "/console/keys", ConsoleListPages.keys(keys, now: services.now()))
    }

    package init(services: GatewayServices) {
        self.services = services
    }
}
