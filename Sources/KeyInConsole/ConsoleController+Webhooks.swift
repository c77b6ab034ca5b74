import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInPersistence
import Vapor

/// `/console/webhooks`: the shop's endpoints and their delivery log. Owners add and remove endpoints (the signing
/// secret is shown on the page the form leads to); anyone signed in can send a failed delivery again.
extension ConsoleController {
    package func webhooks(_ request: Request) async throws -> Response {
        try await webhooksPage(request)
    }

    package struct WebhookForm: Content {
        package var url: String?
        package var events: [String]?
        package var description: String?
    }

    package func createWebhook(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let form = request.consoleForm(WebhookForm.self) ?? WebhookForm()
        do {
            // An unticked form sends no events at all: that is "none", not "every event".
            let created = try await services.webhookEndpoints().create(
                merchantID: staff.merchantID, mode: staff.mode, url: form.url, events: form.events ?? [],
                description: form.description)
            // Redirected, so that reloading the page never registers the endpoint twice.
            return request.redirect(
                to: "/console/webhooks?created=\(created.endpoint.id.uuidString)", redirectType: .normal)
        } catch let error as KeyInError {
            return request.redirect(to: "/console/webhooks?error=\(error.code.rawValue)", redirectType: .normal)
        }
    }

    package func removeWebhook(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let endpoints = services.webhookEndpoints()
        try await endpoints.remove(
            endpoints.endpoint(
                id: request.parameters.get("webhookId").flatMap(UUID.init(uuidString:)), merchantID: staff.merchantID,
                mode: staff.mode))
        return request.redirect(to: "/console/webhooks", redirectType: .normal)
    }

    package func retryWebhookDelivery(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let endpoints = services.webhookEndpoints()
        let endpoint = try await endpoints.endpoint(
            id: request.parameters.get("webhookId").flatMap(UUID.init(uuidString:)), merchantID: staff.merchantID,
            mode: staff.mode)
        do {
            _ = try await endpoints.retry(
                deliveryID: request.parameters.get("deliveryId").flatMap(UUID.init(uuidString:)), of: endpoint)
            return request.redirect(to: "/console/webhooks?retried=1", redirectType: .normal)
        } catch let error as KeyInError {
            return request.redirect(to: "/console/webhooks?error=\(error.code.rawValue)", redirectType: .normal)
        }
    }

    private func webhooksPage(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let store = services.stores.webhooks
        let endpoints = try await store.endpoints(of: staff.merchantID, mode: staff.mode, includingRemoved: true)
        let deliveries = try await store.deliveries(of: staff.merchantID, mode: staff.mode, limit: 50)
        var notice = ConsolePages.errorNotice(request)
        if staff.role == .owner,
            let createdID = request.query[String.self, at: "created"].flatMap(UUID.init(uuidString:)),
            let created = endpoints.first(where: { $0.id == createdID && $0.deletedAt == nil })
        {
            let secret = try services.webhookEndpoints().secret(of: created)
            notice = """
                <div class="done" role="status" id="webhook-created"><p><strong>\(created.url)</strong> 엔드포인트를 등록했습니다.
                아래 서명 비밀키를 받는 서버의 설정에 넣어 두세요. 나중에 API(<code>GET /v1/webhooks/{id}</code>)로도 다시 볼 수 있습니다.</p>
                <p><code id="webhook-secret">\(secret)</code></p></div>
                """
        } else if request.query[String.self, at: "retried"] != nil {
            notice = "<p class=\"done\" role=\"status\">다시 보내도록 예약했습니다. 잠시 후 전송 기록을 확인해 주세요.</p>"
        }
        return try page(
            "웹훅", request, current: "/console/webhooks",
            ConsoleListPages.webhooks(endpoints, deliveries: deliveries, staff: staff, notice: notice))
    }
}
