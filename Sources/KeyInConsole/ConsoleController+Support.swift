import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInPersistence
import Vapor

/// The console's support pages: the inquiry inbox with replies, the feedback survey's answers, and the shop's
/// support contact shown to customers.
extension ConsoleController {
    package func inquiries(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let store = services.stores.support
        let inquiries = try await store.inquiries(of: staff.merchantID, limit: 100)
        // What each customer asked first, so staff can pick what to answer without opening every thread.
        var firstQuestion: [InquiryID: String] = [:]
        for question in try await store.messages(of: inquiries.map(\.id), by: .customer)
        where firstQuestion[question.inquiryID] == nil {
            firstQuestion[question.inquiryID] = question.body
        }
        let rows: [HTML] = inquiries.map { inquiry in
            let question = firstQuestion[inquiry.id] ?? ""
            return """
                <tr><td><a href="/console/inquiries/\(inquiry.id.rawValue.uuidString)">\(DisplayFormat.time(inquiry.createdAt, language: .korean))</a></td>
                <td>\(inquiry.channel == .chat ? "채팅" : "문의")</td><td>\(inquiry.orderName ?? "")</td><td>\(question.count > 60 ? question.prefix(60) + "…" : question)</td>
                <td>\(inquiry.customerName ?? "")</td><td>\(inquiry.contact ?? "")</td>
                <td>\(inquiry.status == .open ? "답변 대기" : "답변함")</td></tr>
                """
        }
        return try page(
            "고객 문의", request, current: "/console/inquiries",
            """
            <table class="list" id="inquiries"><thead><tr><th>받은 시각</th><th>경로</th><th>주문</th><th>내용</th><th>이름</th><th>연락처</th><th>상태</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            \(inquiries.isEmpty ? "<p>받은 문의가 없습니다.</p>" as HTML : "")
            """)
    }

    package func inquiry(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let inquiry = try await merchantInquiry(request)
        let messages = try await services.stores.support.messages(of: [inquiry.id])
        let thread: [HTML] = messages.map { message in
            let who =
                message.author == .staff
                ? "직원 \(message.staffEmail ?? "")" : (message.author == .system ? "안내" : "고객")
            return
                "<li class=\"\(message.author.rawValue.lowercased())\"><strong>\(who)</strong> <time>\(DisplayFormat.time(message.createdAt, language: .korean))</time><p>\(message.body)</p></li>"
        }
        return try page(
            "문의", request, current: "/console/inquiries",
            """
            <dl class="receipt-lines"><dt>이름</dt><dd>\(inquiry.customerName ?? "-")</dd><dt>연락처</dt><dd>\(inquiry.contact ?? "-")</dd>
            \(inquiry.paymentKey.map { "<dt>결제</dt><dd><a href=\"/console/payments/\($0)\">\($0)</a></dd>" as HTML })</dl>
            <ol class="thread" id="thread">\(thread)</ol>
            <form method="post" action="/console/inquiries/\(inquiry.id.rawValue.uuidString)/reply">
            <input type="hidden" name="_csrf" value="\(staff.csrfToken)">
            <div class="field"><label for="reply-body">답변</label><textarea id="reply-body" name="body" rows="4" maxlength="1000" required></textarea></div>
            <button type="submit" id="reply-button">답변 보내기</button>
            <p class="fine">\(inquiry.contact == nil ? "연락처가 없어 답변은 이 기록에만 남습니다." : "답변은 고객 연락처(\(inquiry.contact ?? ""))로 보냅니다.")</p>
            </form>
            """)
    }

    package struct ReplyForm: Content {
        package var body: String?
    }

    package func replyToInquiry(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let inquiry = try await merchantInquiry(request)
        let form = request.consoleForm(ReplyForm.self) ?? ReplyForm()
        try await services.support(request.logger).reply(to: inquiry, from: staff.email, body: form.body ?? "")
        return request.redirect(to: "/console/inquiries/\(inquiry.id.rawValue.uuidString)", redirectType: .normal)
    }

    package func merchantInquiry(_ request: Request) async throws -> InquiryRecord {
        let staff = try request.consoleStaff
        guard
            let id = request.parameters.get("inquiryId").flatMap(UUID.init(uuidString:)).map(InquiryID.init(rawValue:)),
            let inquiry = try await services.stores.support.inquiry(id: id, merchantID: staff.merchantID)
        else { throw KeyInError(.notFoundInquiry) }
        return inquiry
    }

    /// Live chat: the shop's open chat conversations, and new ones as customers write (`chat-console.js`).
    package func chat(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let store = services.stores.support
        let open = try await store.inquiries(of: staff.merchantID, channel: .chat, limit: 20)
        let threads = Dictionary(grouping: try await store.messages(of: open.map(\.id)), by: \.inquiryID)
        var sections: [HTML] = []
        for inquiry in open {
            let id = inquiry.id
            let items: [HTML] = (threads[id] ?? []).map { message in
                "<li class=\"\(message.author.rawValue.lowercased())\">\(message.author == .staff ? "직원: " : message.author == .system ? "안내: " : "고객: ")\(message.body)</li>"
            }
            sections.append(
                """
                <section class="conversation" data-inquiry="\(id.rawValue.uuidString)">
                <h2>\(inquiry.orderName.map { "\($0) · " } ?? "")\(DisplayFormat.time(inquiry.createdAt, language: .korean))\(inquiry.contact.map { " · \($0)" } ?? "")</h2>
                <ol class="thread">\(items)</ol>
                <label for="reply-\(id.rawValue.uuidString)">답장</label><input id="reply-\(id.rawValue.uuidString)" maxlength="1000">
                <button type="button" class="reply-send">보내기</button>
                </section>
                """)
        }
        return try page(
            "채팅 상담", request, current: "/console/chat",
            """
            <p id="chat-status" aria-live="polite">연결 중…</p>
            <p class="fine">이 화면을 열어 두면 상담 가능 상태가 됩니다. 아무도 없을 때 온 채팅은 고객 문의함으로 갑니다.</p>
            <div id="conversations">\(sections)</div>
            """, scripts: "<script src=\"/assets/chat-console.js\"></script>")
    }

    package func feedback(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let answers = try await services.stores.support.feedback(of: staff.merchantID, limit: 200)
        func average(_ items: [FeedbackRecord]) -> String {
            items.isEmpty ? "-" : String(format: "%.1f", Double(items.map(\.rating).reduce(0, +)) / Double(items.count))
        }
        let approved = answers.filter { $0.outcomeStatus != .aborted }
        let failed = answers.filter { $0.outcomeStatus == .aborted }
        let rows: [HTML] = answers.map { answer in
            """
            <tr><td>\(DisplayFormat.time(answer.createdAt, language: .korean))</td><td class="num">\(answer.rating)</td>
            <td>\(PageText.status(answer.outcomeStatus).ko)\(answer.outcomeCode.map { " · \($0)" } ?? "")</td>
            <td>\(answer.comment ?? "")</td><td><a href="/console/payments/\(answer.paymentKey)">결제</a></td></tr>
            """
        }
        return try page(
            "고객 만족도", request, current: "/console/feedback",
            """
            <div class="figures">
            <section class="figure"><h2>전체 평균</h2><p class="big" id="average-rating">\(average(answers))</p><p>\(answers.count)명 응답</p></section>
            <section class="figure"><h2>결제 성공 후</h2><p class="big">\(average(approved))</p><p>\(approved.count)명</p></section>
            <section class="figure"><h2>결제 실패 후</h2><p class="big">\(average(failed))</p><p>\(failed.count)명</p></section>
            </div>
            <table class="list"><thead><tr><th>시각</th><th>점수</th><th>결제 결과</th><th>의견</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
            """)
    }

    package func settings(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let merchant = try await services.stores.merchants.merchant(id: staff.merchantID)
        var saved: HTML =
            request.query[String.self, at: "saved"] != nil ? "<p class=\"done\" role=\"status\">저장했습니다.</p>" : ""
        if let notice = ConsolePages.errorNotice(request) { saved = notice }
        let limits = CardTestingSettings(stored: merchant?.cardTesting)
        let policy = AuthenticationPolicy(stored: merchant?.authenticationPolicy)
        let modes: [(AuthenticationPolicy.Mode, String)] = [
            (.risk, "결제 페이지에서 위험할 때만 인증 요청 (권장)"), (.always, "모든 결제에 인증 (API·단말기 결제 포함)"),
            (.off, "결제 페이지에서 요청하지 않음 (API 요청이 원할 때만)"),
        ]
        let options = modes.map { mode, label -> HTML in
            "<option value=\"\(mode.rawValue)\"\(HTML(unsafeRaw: mode == policy.mode ? " selected" : ""))>\(label)</option>"
        }
        func number(_ name: String, _ label: String, _ value: Int64, _ range: ClosedRange<Int64>) -> HTML {
            """
            <div class="field"><label for="\(name)">\(label)</label><input id="\(name)" name="\(name)" type="number" inputmode="numeric" min="\(range.lowerBound)" max="\(range.upperBound)" value="\(value)" required></div>
            """
        }
        return try page(
            "상점 설정", request, current: "/console/settings",
            """
            \(saved)
            <form method="post" action="/console/settings" class="terminal">
            <input type="hidden" name="_csrf" value="\(staff.csrfToken)">
            <div class="field"><label for="supportPhone">고객센터 전화번호</label><input id="supportPhone" name="supportPhone" inputmode="tel" value="\(merchant?.supportPhone ?? "")"></div>
            <div class="field"><label for="supportHours">상담 시간</label><input id="supportHours" name="supportHours" maxlength="60" placeholder="평일 10:00–18:00" value="\(merchant?.supportHours ?? "")"></div>
            <p class="fine">결제 페이지와 영수증의 문의 안내에 보여 줍니다.</p>
            <fieldset id="card-testing"><legend>카드 테스트 방어 (거절이 몰리면 차단)</legend>
            \(number("linkDeclines", "결제 링크 하나: 30분에 거절 몇 번이면 잠글까요", limits.linkDeclines, CardTestingSettings.declineRange))
            \(number("cardDeclines", "같은 카드: 30분에 거절 몇 번이면 막을까요", limits.cardDeclines, CardTestingSettings.declineRange))
            \(number("addressDeclines", "결제 페이지의 같은 접속 주소: 10분에 거절 몇 번이면 막을까요 (시도의 절반 이상이 거절일 때)", limits.addressDeclines, CardTestingSettings.declineRange))
            \(number("apiKeyDeclines", "API 키 하나: 10분에 거절 몇 번이면 막을까요 (시도의 절반 이상이 거절일 때)", limits.apiKeyDeclines, CardTestingSettings.declineRange))
            </fieldset>
            <fieldset id="attempt-ceilings"><legend>시도 횟수 상한 (승인이든 거절이든 이만큼 넘으면 차단)</legend>
            \(number("linkAttempts", "결제 링크 하나: 30분에 몇 번까지 결제를 시도할 수 있나요", limits.linkAttempts, CardTestingSettings.attemptRange))
            \(number("cardAttempts", "같은 카드: 30분에 몇 번까지 결제할 수 있나요 (법인카드 하나로 자주 결제하는 상점은 늘려 주세요)", limits.cardAttempts, CardTestingSettings.attemptRange))
            \(number("addressAttempts", "결제 페이지의 같은 접속 주소: 10분에 몇 번까지 결제를 시도할 수 있나요", limits.addressAttempts, CardTestingSettings.attemptRange))
            <div class="field"><label for="apiKeyAttempts">API 키 하나: 10분에 몇 번까지 결제할 수 있나요 (비워 두면 제한 없음. 키가 유출돼도 이 이상은 결제되지 않습니다)</label><input id="apiKeyAttempts" name="apiKeyAttempts" type="number" inputmode="numeric" min="\(CardTestingSettings.attemptRange.lowerBound)" max="\(CardTestingSettings.attemptRange.upperBound)" value="\(limits.apiKeyAttempts.map(String.init) ?? "")"></div>
            \(number("blockMinutes", "막는 시간(분)", limits.blockMinutes, CardTestingSettings.blockMinuteRange))
            </fieldset>
            <fieldset id="three-d-secure"><legend>카드 본인 인증 (3-D Secure)</legend>
            <div class="field"><label for="threeDSecureMode">언제 카드사 본인 인증을 받을까요</label><select id="threeDSecureMode" name="threeDSecureMode">\(options)</select></div>
            \(number("challengeAmount", "이 금액(원) 이상이면 카드사에 인증번호 확인을 요청합니다", policy.challengeAmount, AuthenticationPolicy.challengeAmountRange))
            <p class="fine">최근 거절된 카드도 인증번호 확인을 요청합니다. 카드사가 필요하다고 판단하면 금액과 관계없이 확인합니다.</p>
            </fieldset>
            <button type="submit">저장</button>
            </form>
            """)
    }

    package struct SettingsForm: Content {
        package var supportPhone: String?
        package var supportHours: String?
        package var linkDeclines: String?
        package var cardDeclines: String?
        package var addressDeclines: String?
        package var apiKeyDeclines: String?
        package var linkAttempts: String?
        package var cardAttempts: String?
        package var addressAttempts: String?
        package var apiKeyAttempts: String?
        package var blockMinutes: String?
        package var threeDSecureMode: String?
        package var challengeAmount: String?

        /// The 3-D Secure policy the form sends, over the current one.
        func authenticationPolicy(over current: AuthenticationPolicy) throws -> AuthenticationPolicy {
            var policy = current
            if let text = threeDSecureMode {
                guard let mode = AuthenticationPolicy.Mode(rawValue: text) else {
                    throw KeyInError(.invalidRequest, param: "threeDSecureMode")
                }
                policy.mode = mode
            }
            if let text = challengeAmount {
                guard let amount = Int64(text.trimmingCharacters(in: .whitespaces)),
                    AuthenticationPolicy.challengeAmountRange.contains(amount)
                else { throw KeyInError(.invalidRequest, param: "challengeAmount") }
                policy.challengeAmount = amount
            }
            return policy
        }

        /// The card-testing limits the form sends, over the current ones (a form without them changes nothing).
        func cardTesting(over current: CardTestingSettings) throws -> CardTestingSettings {
            var settings = current
            let fields: [(String?, WritableKeyPath<CardTestingSettings, Int64>, String)] = [
                (linkDeclines, \.linkDeclines, "linkDeclines"), (cardDeclines, \.cardDeclines, "cardDeclines"),
                (addressDeclines, \.addressDeclines, "addressDeclines"),
                (apiKeyDeclines, \.apiKeyDeclines, "apiKeyDeclines"), (linkAttempts, \.linkAttempts, "linkAttempts"),
                (cardAttempts, \.cardAttempts, "cardAttempts"), (addressAttempts, \.addressAttempts, "addressAttempts"),
                (blockMinutes, \.blockMinutes, "blockMinutes"),
            ]
            for (text, path, name) in fields {
                guard let text else { continue }
                guard let value = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                    throw KeyInError(.invalidRequest, param: name)
                }
                settings[keyPath: path] = value
            }
            // Optional: left empty, a key has no ceiling.
            if let text = apiKeyAttempts?.trimmingCharacters(in: .whitespaces) {
                guard text.isEmpty || Int64(text) != nil else {
                    throw KeyInError(.invalidRequest, param: "apiKeyAttempts")
                }
                settings.apiKeyAttempts = Int64(text)
            }
            if let problem = settings.problem { throw KeyInError(.invalidRequest, param: problem) }
            return settings
        }
    }

    package func saveSettings(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let form = request.consoleForm(SettingsForm.self) ?? SettingsForm()
        let current = CardTestingSettings(
            stored: try await services.stores.merchants.merchant(id: staff.merchantID)?.cardTesting)
        let currentPolicy = AuthenticationPolicy(
            stored: try await services.stores.merchants.merchant(id: staff.merchantID)?.authenticationPolicy)
        let limits: CardTestingSettings
        let policy: AuthenticationPolicy
        do {
            limits = try form.cardTesting(over: current)
            policy = try form.authenticationPolicy(over: currentPolicy)
        } catch let error as KeyInError {
            return request.redirect(to: "/console/settings?error=\(error.code.rawValue)", redirectType: .normal)
        }
        if limits != current {
            try await services.stores.merchants.setCardTesting(
                limits == .defaults ? nil : limits.json, of: staff.merchantID)
        }
        if policy != currentPolicy {
            try await services.stores.merchants.setAuthenticationPolicy(
                policy == .defaults ? nil : policy.json, of: staff.merchantID)
        }
        let contact = try ContactCheck(
            name: nil, email: nil, mobilePhone: form.supportPhone, phoneParam: "supportPhone")
        let hours = form.supportHours?.trimmingCharacters(in: .whitespaces)
        guard (hours ?? "").count <= 60 else { throw KeyInError(.invalidRequest, param: "supportHours") }
        try await services.stores.merchants.setSupport(
            phone: contact.mobilePhone, hours: hours.flatMap { $0.isEmpty ? nil : $0 }, of: staff.merchantID)
        return request.redirect(to: "/console/settings?saved=1", redirectType: .normal)
    }
}
