import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInPersistence

/// The console's simpler pages: payment links (with the messages sent), webhook endpoints and their delivery
/// log, API keys.
package enum ConsoleListPages {
    package static func links(
        _ links: [PaymentLinkRecord], status: (PaymentLinkRecord) -> String, baseURL: String,
        messages: [OutboundMessageRecord], csrf: String, notice: HTML?
    ) -> HTML {
        let statusNames = ["ACTIVE": "결제 대기", "PAID": "결제 완료", "EXPIRED": "만료", "CANCELED": "중지"]
        let rows: [HTML] = links.map { link in
            let state = status(link)
            let id = link.id.uuidString
            let actions: HTML =
                state == "ACTIVE"
                ? """
                <form method="post" action="/console/links/\(id)/send" class="row-form"><input type="hidden" name="_csrf" value="\(csrf)"><label class="visually-hidden" for="resend-\(id)">\(link.orderName) 문자 받을 번호</label><input id="resend-\(id)" name="customerMobilePhone" inputmode="tel" placeholder="010-0000-0000" value="\(link.customerMobilePhone ?? "")"><button type="submit" class="link">문자 보내기</button></form>
                <form method="post" action="/console/links/\(id)/cancel" class="row-form"><input type="hidden" name="_csrf" value="\(csrf)"><button type="submit" class="secondary">중지</button></form>
                """ : ""
            return """
                <tr><td>\(link.orderName)</td><td class="num">\(ConsolePages.money(link.amount, link.currency))</td>
                <td>\(statusNames[state] ?? state)</td><td>\(DisplayFormat.time(link.expiresAt, language: .korean))</td>
                <td><a href="\(PaymentLinkDTO.url(link, baseURL: baseURL))">링크</a>\(link.paymentKey.map { " · <a href=\"/console/payments/\($0)\">결제</a>" as HTML })</td>
                <td>\(actions)</td></tr>
                """
        }
        let messageRows: [HTML] = messages.map { message in
            "<li><strong>\(message.channel.rawValue)</strong> \(message.recipient) · \(message.status == .recorded ? "기록만 함 (발송 안 함)" : message.status.rawValue) · \(DisplayFormat.time(message.createdAt, language: .korean))<pre>\(message.body)</pre></li>"
        }
        return """
            \(notice)
            <form method="post" action="/console/links" class="inline-form">
            <input type="hidden" name="_csrf" value="\(csrf)">
            <div class="field"><label for="link-amount">금액 (원)</label><input id="link-amount" name="amount" inputmode="numeric" required></div>
            <div class="field"><label for="link-order">주문 내용</label><input id="link-order" name="orderName" required maxlength="100"></div>
            <div class="field"><label for="link-phone">고객 휴대폰 번호</label><input id="link-phone" name="customerMobilePhone" inputmode="tel"></div>
            <label class="check"><input type="checkbox" name="sendSMS" value="1"> 문자로 보내기</label>
            <button type="submit">결제 링크 만들기</button>
            </form>
            <table class="list" id="links"><thead><tr><th>주문 내용</th><th>금액</th><th>상태</th><th>유효기간</th><th></th><th>보내기·중지</th></tr></thead><tbody>\(rows)</tbody></table>
            \(links.isEmpty ? "<p>아직 만든 결제 링크가 없습니다.</p>" as HTML : "")
            <h2>보낸 메시지</h2>
            <p class="fine">기본 발송기는 메시지를 보내지 않고 기록만 합니다. 문자·알림톡 발송 업체를 연결하면 실제로 보냅니다.</p>
            <ul class="messages">\(messageRows)</ul>
            """
    }

    package static let webhookEventNames: [(event: WebhookEventType, name: String)] = [
        (.paymentStatusChanged, "결제 상태 변경 (승인·실패·매입·취소)"), (.cancelStatusChanged, "취소 처리 결과"),
    ]

    package static func webhooks(
        _ endpoints: [WebhookEndpointRecord], deliveries: [WebhookDeliveryRecord], staff: ConsoleStaff, notice: HTML?
    ) -> HTML {
        let owner = staff.role == .owner
        let live = Set(endpoints.filter { $0.deletedAt == nil }.map(\.id))
        let endpointRows: [HTML] = endpoints.map { endpoint in
            let id = endpoint.id.uuidString
            let events = endpoint.events.map { type in
                webhookEventNames.first { $0.event == type }?.name ?? type.rawValue
            }
            let remove: HTML =
                owner && endpoint.deletedAt == nil
                ? """
                <form method="post" action="/console/webhooks/\(id)/remove"><input type="hidden" name="_csrf" value="\(staff.csrfToken)"><button type="submit" class="link">삭제</button></form>
                """ : ""
            return """
                <tr><td>\(endpoint.url)\(endpoint.description.map { "<br><span class=\"fine\">\($0)</span>" as HTML })</td>
                <td>\(events.joined(separator: ", "))</td><td>\(endpoint.deletedAt == nil ? "사용 중" : "삭제됨")</td><td>\(remove)</td></tr>
                """
        }
        let deliveryRows: [HTML] = deliveries.map { delivery in
            let retry: HTML =
                delivery.status == .failed && live.contains(delivery.endpointID)
                ? """
                <form method="post" action="/console/webhooks/\(delivery.endpointID.uuidString)/deliveries/\(delivery.id.uuidString)/retry"><input type="hidden" name="_csrf" value="\(staff.csrfToken)"><button type="submit" class="link">다시 보내기</button></form>
                """ : ""
            return """
                <tr><td>\(DisplayFormat.time(delivery.createdAt, language: .korean))</td><td>\(delivery.eventType.rawValue)</td>
                <td><a href="/console/payments/\(delivery.paymentKey)">\(delivery.paymentKey)</a></td><td>\(delivery.status.rawValue)</td>
                <td class="num">\(delivery.attemptCount)</td><td>\(delivery.lastError ?? "")</td><td>\(retry)</td></tr>
                """
        }
        let form: HTML =
            owner
            ? """
            <h2>엔드포인트 추가</h2>
            <form method="post" action="/console/webhooks" class="terminal" id="webhook-form">
            <input type="hidden" name="_csrf" value="\(staff.csrfToken)">
            <div class="field"><label for="webhook-url">받을 주소 (https://…)</label><input id="webhook-url" name="url" type="url" required maxlength="500" placeholder="https://shop.example/keyin/webhook"></div>
            <fieldset><legend>받을 이벤트</legend>\(webhookEventNames.map { entry -> HTML in
                "<label class=\"check\"><input type=\"checkbox\" name=\"events[]\" value=\"\(entry.event.rawValue)\" checked> \(entry.name)</label>"
            })</fieldset>
            <div class="field"><label for="webhook-description">메모 (선택)</label><input id="webhook-description" name="description" maxlength="200"></div>
            <button type="submit">등록</button>
            </form>
            """
            : "<p class=\"fine\">엔드포인트 추가와 삭제는 소유자만 할 수 있습니다.</p>"
        return """
            \(notice)
            <p class="fine">이벤트마다 <code>KeyIn-Signature</code> 헤더에 서명을 담아 보냅니다. 실패하면 1분, 4분, 16분… 간격으로 최대 7번 다시 보냅니다. API로도 관리할 수 있습니다(<code>/v1/webhooks</code>).</p>
            <table class="list" id="webhook-endpoints"><thead><tr><th>URL</th><th>이벤트</th><th>상태</th><th></th></tr></thead><tbody>\(endpointRows)</tbody></table>
            \(endpoints.isEmpty ? "<p>등록된 엔드포인트가 없습니다.</p>" as HTML : "")
            \(form)
            <h2>전송 기록</h2>
            <table class="list" id="webhook-deliveries"><thead><tr><th>시각</th><th>이벤트</th><th>결제</th><th>상태</th><th>시도</th><th>마지막 오류</th><th></th></tr></thead><tbody>\(deliveryRows)</tbody></table>
            \(deliveries.isEmpty ? "<p>아직 보낸 웹훅이 없습니다.</p>" as HTML : "")
            """
    }

    /// What the card-testing rules did: each block (what tripped, from where, how many declines, until when) and
    /// each merchant-wide alert.
    package static func alerts(_ blocks: [SourceBlockRecord], now: Date) -> HTML {
        let rows: [HTML] = blocks.map { block in
            let kind = CardTestingRule.source(ofRule: block.rule)
            let counted = CardTestingRule.countedLabel(ofRule: block.rule)
            let state =
                !block.blocks
                ? "알림만 (차단 없음)"
                : block.blockedUntil > now
                    ? "\(DisplayFormat.time(block.blockedUntil, language: .korean))까지 차단" : "차단 끝남"
            return """
                <tr><td>\(DisplayFormat.time(block.createdAt, language: .korean))</td><td>\(kind?.label ?? block.rule)</td><td>\(block.subjectLabel.isEmpty ? "-" : block.subjectLabel)</td><td class="num">\(counted) \(block.count)회</td><td>\(state)</td></tr>
                """
        }
        return """
            <p>짧은 시간에 거절이 몰리면 카드번호 대입(카드 테스트)으로 보고, 그 출처의 결제를 카드사에 보내지 않고 막습니다. 결제 링크는 거절 5회면 30분, 같은 카드는 30분에 거절 5회면 30분 동안 막힙니다. 상점 전체의 거절이 많을 때는 알림만 보내고 판매는 막지 않습니다. 거절과 상관없이 같은 결제 링크나 같은 카드로 30분에 20번, 결제 페이지의 같은 접속 주소에서 10분에 600번을 넘게 시도해도 막힙니다. 기준은 상점 설정에서 바꿀 수 있습니다. 막힌 결제는 결제 내역에서 사유와 함께 볼 수 있습니다.</p>
            \(blocks.isEmpty ? "<p id=\"no-alerts\">아직 알림이 없습니다.</p>" as HTML : """
            <table class="list" id="alerts"><thead><tr><th>시각</th><th>출처</th><th>대상</th><th>횟수</th><th>상태</th></tr></thead><tbody>\(rows)</tbody></table>
            """ as HTML)
            """
    }

    package static func keys(_ keys: [APIKeyRecord], now: Date) -> HTML {
        let rows: [HTML] = keys.map { key in
            let state: String =
                key.revokedAt.map { $0 <= now ? "폐기됨" : "\(DisplayFormat.time($0, language: .korean))에 폐기" } ?? "사용 중"
            return
                "<tr><td><code>\(key.keyPrefix)…</code></td><td>\(key.mode == .live ? "실거래" : "테스트")</td><td>\(key.createdAt.map { DisplayFormat.time($0, language: .korean) } ?? "")</td><td>\(state)</td></tr>"
        }
        return """
            <p class="fine">시크릿 키는 만들 때 한 번만 보여 주고 해시로만 저장합니다. 교체: <code>keyin merchant keys rotate --merchant 가맹점ID [--grace-hours N]</code></p>
            <table class="list"><thead><tr><th>키</th><th>종류</th><th>만든 시각</th><th>상태</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}
