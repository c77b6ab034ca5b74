import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInPersistence
import Vapor

/// The console's markup: one layout with the navigation, and a page per task. Korean, as merchant staff use it.
package enum ConsolePages {
    package static let sections: [(path: String, title: String)] = [
        ("/console", "대시보드"), ("/console/payments", "결제 내역"), ("/console/terminal", "가상 단말기"),
        ("/console/links", "결제 링크"), ("/console/chat", "채팅 상담"), ("/console/inquiries", "고객 문의"),
        ("/console/feedback", "고객 만족도"), ("/console/alerts", "이상 거래 알림"),
        ("/console/webhooks", "웹훅"), ("/console/keys", "API 키"), ("/console/staff", "직원 관리"),
        ("/console/settings", "상점 설정"),
    ]

    package static func layout(_ title: String, staff: ConsoleStaff, current: String, body: HTML) -> HTML {
        """
        <div class="console">
        <nav class="side" aria-label="콘솔 메뉴">
        <p class="brand">KeyIn 콘솔</p>
        <ul>\(sections.map { section -> HTML in
            "<li><a href=\"\(section.path)\"\(section.path == current ? " aria-current=\"page\"" as HTML : "")>\(section.title)</a></li>"
        })</ul>
        <form method="post" action="/console/mode" class="mode-switch"><input type="hidden" name="_csrf" value="\(staff.csrfToken)">
        <p>지금 보는 데이터: <strong id="console-mode">\(staff.mode == .test ? "테스트" : "라이브")</strong></p>
        <input type="hidden" name="mode" value="\(staff.mode == .test ? "live" : "test")">
        <button type="submit" class="link" id="mode-switch">\(staff.mode == .test ? "라이브 데이터 보기" : "테스트 데이터 보기")</button></form>
        <form method="post" action="/console/logout"><input type="hidden" name="_csrf" value="\(staff.csrfToken)">
        <p class="who">\(staff.email) · \(staff.role == .owner ? "소유자" : "직원")</p>
        <p><a href="/console/password"\(current == "/console/password" ? " aria-current=\"page\"" as HTML : "")>비밀번호 변경</a></p>
        <button type="submit" class="link">로그아웃</button></form>
        </nav>
        <main class="console-main" id="main">
        \(staff.mode == .test ? "<p class=\"test-mode\" id=\"test-mode\">테스트 모드입니다. 여기 보이는 결제·링크·웹훅은 모두 테스트 데이터이고, 테스트 결제는 실제 카드사로 가지 않습니다.</p>" as HTML : "")
        <h1>\(title)</h1>
        \(body)
        </main>
        </div>
        """
    }

    /// A console page outside the signed-in layout (no menu): password reset, errors met before or without a
    /// session.
    package static func standalone(_ title: String, _ body: HTML) -> Response {
        PageLayout.document(
            title: "\(title) · KeyIn 콘솔", language: .korean,
            body: """
                <main class="page narrow">
                <h1>\(title)</h1>
                \(body)
                </main>
                """)
    }

    /// What went wrong with the form just sent (`?error=CODE` after its redirect): the catalog's explanation for the
    /// merchant, with a link to the code's help entry.
    package static func errorNotice(_ request: Request) -> HTML? {
        guard let code = request.query[String.self, at: "error"].flatMap(ErrorCode.init(rawValue:)) else { return nil }
        return """
            <p class="notice" role="alert" id="console-error">\(code.rawValue): \(code.entry.explanation.ko) <a href="/help/\(code.entry.helpPageID)">도움말</a></p>
            """
    }

    package static func login(error: KeyInError?, email: String, passwordWasReset: Bool, csrf: String) -> HTML {
        """
        <main class="page narrow login">
        <h1>KeyIn 콘솔 로그인</h1>
        \(passwordWasReset ? "<p class=\"done\" role=\"status\" id=\"reset-done\">비밀번호를 바꿨습니다. 새 비밀번호로 로그인해 주세요.</p>" as HTML : "")
        \(error.map { "<p class=\"notice\" role=\"alert\" id=\"login-error\">\($0.customerMessage.text(in: .korean))</p>" as HTML })
        <form method="post" action="/console/login"><input type="hidden" name="_csrf" value="\(csrf)">
        <div class="field"><label for="email">이메일</label><input id="email" name="email" type="email" autocomplete="username" value="\(email)" required></div>
        <div class="field"><label for="password">비밀번호</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
        <button type="submit" id="login-button">로그인</button>
        </form>
        <p><a href="/console/forgot">비밀번호를 잊으셨나요?</a></p>
        </main>
        """
    }

    package static func money(_ amount: Int64, _ currency: String = "KRW") -> String {
        DisplayFormat.amount(amount, currency: currency, language: .korean)
    }

    package static func dashboard(_ figures: DashboardFigures) -> HTML {
        func card(_ title: String, _ period: DashboardFigures.Period) -> HTML {
            let rate = period.approvalRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
            return """
                <section class="figure"><h2>\(title)</h2>
                <p class="big">\(money(period.approvedAmount))</p>
                <p>승인 \(period.approvedCount)건 · 실패 \(period.failedCount)건 · 승인율 <strong>\(rate)</strong></p></section>
                """
        }
        let categoryChart = BarChart(
            title: "이번 주 실패 원인",
            bars: figures.failuresByCategory.map {
                .init(
                    label: $0.category.displayName.ko, value: $0.count,
                    link: "/console/payments?status=ABORTED&category=\($0.category.rawValue)")
            })
        let companyChart = BarChart(
            title: "이번 주 카드사별 실패",
            bars: figures.failuresByCompany.map { entry in
                .init(
                    label: BINTable.bundled.company(code: entry.code)?.name.ko ?? "알 수 없음",
                    value: entry.count, link: "/console/payments?status=ABORTED&company=\(entry.code)")
            })
        return """
            <div class="figures">\(card("오늘", figures.today))\(card("이번 주", figures.week))</div>
            <div class="charts">\(categoryChart.html)\(figures.failuresByCompany.isEmpty ? "<p>이번 주에는 실패한 결제가 없습니다.</p>" as HTML : companyChart.html)</div>
            """
    }

    package struct PaymentFilter {
        package var status: String = ""
        package var category: String = ""
        package var company: String = ""
        package var query: String = ""
        /// Where the page starts (the API's cursor); empty for the newest.
        package var cursor: String = ""

        /// The same search, starting after `next`.
        package func link(startingAfter next: PaymentCursor) -> String {
            var components = URLComponents()
            components.path = "/console/payments"
            components.queryItems = [
                ("q", query), ("status", status), ("category", category), ("company", company),
                ("cursor", next.encoded),
            ].filter { !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) }
            // `+` stays as it is in a query; a cursor (base64) would read it as a space.
            components.percentEncodedQuery = components.percentEncodedQuery?
                .replacingOccurrences(of: "+", with: "%2B")
            return components.string ?? components.path
        }
    }

    /// How many payments one page of the console's search shows.
    package static let paymentsPerPage = 100

    package static func payments(_ payments: [PaymentRecord], filter: PaymentFilter, next: PaymentCursor?) -> HTML {
        let statuses = PaymentStatus.allCases
        let rows: [HTML] = payments.map { payment in
            let code = payment.failureCode
            return """
                <tr><td><a href="/console/payments/\(payment.paymentKey)">\(payment.orderID)</a></td><td>\(payment.orderName)</td>
                <td class="num">\(money(payment.totalAmount, payment.currency))</td>
                <td><span class="status \(payment.status.rawValue.lowercased())">\(PageText.status(payment.status).ko)</span></td>
                <td>\(code.map { "\($0.entry.category.displayName.ko) · \($0.rawValue)" } ?? "")</td>
                <td>\(payment.cardMasked)</td><td>\(DisplayFormat.time(payment.requestedAt, language: .korean))</td></tr>
                """
        }
        return """
            <form class="filters" method="get" action="/console/payments">
            <label for="q">주문번호·결제키·카드 끝 4자리</label><input id="q" name="q" value="\(filter.query)">
            <label for="status">상태</label><select id="status" name="status"><option value="">전체</option>\(statuses.map { status -> HTML in
                "<option value=\"\(status.rawValue)\"\(filter.status == status.rawValue ? " selected" as HTML : "")>\(PageText.status(status).ko)</option>"
            })</select>
            <label for="category">실패 원인</label><select id="category" name="category"><option value="">전체</option>\(ErrorCategory.allCases.map { category -> HTML in
                "<option value=\"\(category.rawValue)\"\(filter.category == category.rawValue ? " selected" as HTML : "")>\(category.displayName.ko)</option>"
            })</select>
            <input type="hidden" name="company" value="\(filter.company)">
            <button type="submit">검색</button>
            </form>
            <table class="list" id="payments"><thead><tr><th>주문번호</th><th>주문 내용</th><th>금액</th><th>상태</th><th>실패 원인</th><th>카드</th><th>요청 시각</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            \(payments.isEmpty ? "<p>조건에 맞는 결제가 없습니다.</p>" as HTML : "")
            \(next.map { "<p class=\"pager\"><a id=\"next-page\" href=\"\(filter.link(startingAfter: $0))\">다음 \(paymentsPerPage)건 보기</a></p>" as HTML })
            """
    }

    package static func paymentDetail(
        _ payment: PaymentRecord, events: [PaymentEventRecord], network: [NetworkMessageRecord],
        cancels: [CancelRecord], deliveries: [WebhookDeliveryRecord], staff: ConsoleStaff, notice: HTML?
    ) -> HTML {
        let status = payment.status
        let cancellable = status == .done || status == .partialCanceled || status == .waitingForCapture
        let timeline: [HTML] = events.map { event in
            let code = event.code
            return """
                <li><time>\(DisplayFormat.time(event.at, language: .korean))</time> \(event.from.map { PageText.status($0).ko + " → " } ?? "")\(PageText.status(event.to).ko)\(code.map { " · \($0.rawValue): \($0.entry.explanation.ko)" } ?? "")</li>
                """
        }
        let directions: [NetworkMessageRecord.Direction: String] = [
            .sent: "보냄", .received: "받음", .noAnswer: "응답 없음", .reversal: "망취소", .reversalSettled: "망취소 응답",
        ]
        let networkRows: [HTML] = network.map { message in
            let code = message.code.flatMap(ErrorCode.init(rawValue:))
            return """
                <tr><td>\(DisplayFormat.time(message.at, language: .korean))</td><td>\(directions[message.direction] ?? message.direction.rawValue)</td>
                <td><code>\(message.mti)</code></td><td>\(message.stan)</td>
                <td>\(code.map { "\($0.rawValue)" } ?? message.code ?? "")</td><td>\(message.note ?? "")</td></tr>
                """
        }
        let cancelRows: [HTML] = cancels.map { cancel in
            "<li>\(DisplayFormat.time(cancel.requestedAt, language: .korean)) \(money(cancel.amount, payment.currency)) · \(cancel.reason) · \(cancel.status.rawValue)\(cancel.failureCode.map { " (\($0.rawValue))" } ?? "")</li>"
        }
        let deliveryRows: [HTML] = deliveries.map { delivery in
            "<li>\(DisplayFormat.time(delivery.createdAt, language: .korean)) \(delivery.eventType.rawValue) · \(delivery.status.rawValue) · 시도 \(delivery.attemptCount)회\(delivery.lastError.map { " · \($0)" } ?? "")</li>"
        }
        return """
            \(notice)
            <dl class="receipt-lines">
            <dt>결제키</dt><dd>\(payment.paymentKey)</dd><dt>주문</dt><dd>\(payment.orderID) · \(payment.orderName)</dd>
            <dt>상태</dt><dd id="payment-status">\(PageText.status(status).ko)</dd>
            <dt>결제 금액</dt><dd>\(money(payment.totalAmount, payment.currency))</dd>
            <dt>취소 가능 금액</dt><dd id="balance">\(money(payment.balanceAmount, payment.currency))</dd>
            <dt>카드</dt><dd>\(payment.cardMasked) · \(DisplayFormat.installment(payment.installmentMonths, language: .korean))</dd>
            <dt>승인번호</dt><dd>\(payment.approveNo ?? "-")</dd>
            \(payment.approveNo == nil ? "" : "<dt>영수증</dt><dd><a href=\"/receipts/\(payment.paymentKey)\">매출전표 보기</a></dd>" as HTML)
            </dl>
            \(payment.decisionReasons.isEmpty ? "" : """
            <h2>결제 판단: 차단</h2>
            <p>카드번호 대입(카드 테스트) 방어 규칙에 걸려 카드사에 보내지 않았습니다. 고객에게는 일반 거절로 안내됩니다.</p>
            <ul id="decision-reasons">\(payment.decisionReasons.map { "<li>\(CardTestingRule.describe($0))</li>" as HTML })</ul>
            """ as HTML)
            <h2>타임라인</h2><ol class="timeline">\(timeline)</ol>
            <h2>카드사 통신</h2>
            <table class="list" id="network-messages"><thead><tr><th>시각</th><th>방향</th><th>전문</th><th>STAN</th><th>응답</th><th>내용</th></tr></thead>
            <tbody>\(networkRows)</tbody></table>
            \(cancels.isEmpty ? "" : "<h2>취소 요청</h2><ul>\(cancelRows)</ul>" as HTML)
            \(deliveries.isEmpty ? "" : "<h2>웹훅 전송</h2><ul>\(deliveryRows)</ul>" as HTML)
            \(cancellable ? """
            <h2>결제 취소</h2>
            <form method="post" action="/console/payments/\(payment.paymentKey)/cancel" class="cancel-form">
            <input type="hidden" name="_csrf" value="\(staff.csrfToken)">
            <div class="field"><label for="cancelAmount">취소 금액 (비우면 전액)</label><input id="cancelAmount" name="cancelAmount" inputmode="numeric" pattern="[0-9]*"></div>
            <div class="field"><label for="cancelReason">취소 사유</label><input id="cancelReason" name="cancelReason" required maxlength="200"></div>
            <button type="submit" id="cancel-button">취소하기</button>
            </form>
            """ as HTML : "")
            """
    }
}
