import Fluent
import Foundation
import KeyInCore
import Vapor

/// `/console/webhooks`: the shop's endpoints and their delivery log. Owners add and remove endpoints (the signing
/// secret is shown once, on the page that answers the form); anyone signed in can send a failed delivery again.
extension ConsoleController {
    func webhooks(_ request: Request) async throws -> Response {
        try await webhooksPage(request, created: nil)
    }

    struct WebhookForm: Content {
        var url: String?
        var events: [String]?
        var description: String?
    }

    func createWebhook(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        guard staff.role == .owner else { throw KeyInError(.forbiddenRequest) }
        let form = (try? request.content.decode(WebhookForm.self)) ?? WebhookForm()
        do {
            // An unticked form sends no events at all: that is "none", not "every event".
            let created = try await services.webhookEndpoints().create(
                merchantID: staff.merchantID, url: form.url, events: form.events ?? [],
                description: form.description)
            return try await webhooksPage(request, created: created)
        } catch let error as KeyInError {
            return request.redirect(to: "/console/webhooks?error=\(error.code.rawValue)", redirectType: .normal)
        }
    }

    func removeWebhook(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        guard staff.role == .owner else { throw KeyInError(.forbiddenRequest) }
        let endpoints = services.webhookEndpoints()
        try await endpoints.remove(
            endpoints.endpoint(
                id: request.parameters.get("webhookId").flatMap(UUID.init(uuidString:)), merchantID: staff.merchantID))
        return request.redirect(to: "/console/webhooks", redirectType: .normal)
    }

    func retryWebhookDelivery(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let endpoints = services.webhookEndpoints()
        let endpoint = try await endpoints.endpoint(
            id: request.parameters.get("webhookId").flatMap(UUID.init(uuidString:)), merchantID: staff.merchantID)
        do {
            _ = try await endpoints.retry(
                deliveryID: request.parameters.get("deliveryId").flatMap(UUID.init(uuidString:)), of: endpoint)
            return request.redirect(to: "/console/webhooks?retried=1", redirectType: .normal)
        } catch let error as KeyInError {
            return request.redirect(to: "/console/webhooks?error=\(error.code.rawValue)", redirectType: .normal)
        }
    }

    private func webhooksPage(
        _ request: Request, created: (endpoint: WebhookEndpointModel, secret: String)?
    ) async throws -> Response {
        let staff = try request.consoleStaff
        let endpoints = try await WebhookEndpointModel.query(on: request.db).filter(\.$merchant.$id == staff.merchantID)
            .sort(\.$createdAt).all()
        let deliveries = try await WebhookDeliveryModel.query(on: request.db).filter(\.$merchantID == staff.merchantID)
            .sort(\.$createdAt, .descending).limit(50).all()
        var notice = ConsolePages.errorNotice(request)
        if let created {
            notice = """
                <div class="done" role="status" id="webhook-created"><p><strong>\(created.endpoint.url)</strong> 엔드포인트를 등록했습니다.
                서명 비밀키는 지금 한 번만 보여 드립니다. 서버 설정에 저장해 두세요.</p>
                <p><code id="webhook-secret">\(created.secret)</code></p></div>
                """
        } else if request.query[String.self, at: "retried"] != nil {
            notice = "<p class=\"done\" role=\"status\">다시 보내도록 예약했습니다. 잠시 후 전송 기록을 확인해 주세요.</p>"
        }
        return try page(
            "웹훅", request, current: "/console/webhooks",
            ConsoleListPages.webhooks(endpoints, deliveries: deliveries, staff: staff, notice: notice))
    }
}
