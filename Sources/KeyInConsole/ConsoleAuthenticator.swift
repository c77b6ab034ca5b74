import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPages
import Vapor

/// Guards `/console`: a page without a live session goes to the sign-in page; a form or script request (any
/// POST) must carry the session's CSRF token, in the `_csrf` field or the `X-CSRF-Token` header.
package struct ConsoleAuthenticator: AsyncMiddleware {
    package let services: GatewayServices
    package static let cookieName = "keyin_console"
    /// Which mode's data the console shows (`test` or `live`): a view preference, not a credential; staff may see
    /// both.
    package static let modeCookieName = "keyin_console_mode"

    package init(services: GatewayServices) {
        self.services = services
    }

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let token = request.cookies[Self.cookieName]?.string,
            let (session, staff) = try await services.staff().session(token: token)
        else {
            if request.method == .GET { return request.redirect(to: "/console/login") }
            throw KeyInError(.sessionExpired)
        }
        if request.method != .GET {
            let sent =
                request.headers.first(name: "X-CSRF-Token")
                ?? (try? request.content.get(String.self, at: "_csrf"))
            guard let sent, sent == session.csrfToken else { throw KeyInError(.invalidCSRFToken) }
        }
        let mode = Self.mode(of: request, liveDeployment: services.links.isLive)
        request.storage[ConsoleStaffKey.self] = ConsoleStaff(
            id: staff.id, merchantID: staff.merchantID, email: staff.email, role: staff.role,
            csrfToken: session.csrfToken, sessionID: session.id, mode: mode)
        // The merchant API's helpers (idempotency, scoping) key on the merchant and the mode shown.
        request.storage[AuthenticatedMerchantKey.self] = .init(merchantID: staff.merchantID, mode: mode)
        return try await next.respond(to: request)
    }

    /// The mode the console shows: the one last chosen with the switch, else live on a deployment that has card
    /// companies and test on one that has none.
    static func mode(of request: Request, liveDeployment: Bool) -> PaymentMode {
        request.cookies[modeCookieName].flatMap { PaymentMode(rawValue: $0.string) } ?? (liveDeployment ? .live : .test)
    }
}

/// Who is signed in to the console.
package struct ConsoleStaff: Sendable {
    package let id: StaffID
    package let merchantID: MerchantID
    package let email: String
    package let role: StaffAccounts.Role
    package let csrfToken: String
    package let sessionID: UUID
    /// The mode whose payments, links and webhooks the console shows and makes.
    package let mode: PaymentMode
}

package enum ConsoleStaffKey: StorageKey {
    package typealias Value = ConsoleStaff
}

extension Request {
    package var consoleStaff: ConsoleStaff {
        get throws {
            guard let staff = storage[ConsoleStaffKey.self] else { throw KeyInError(.sessionExpired) }
            return staff
        }
    }
}

/// Guards the console's owner-only routes (keys, staff, webhook endpoints, settings): staff members are refused.
/// Behind `ConsoleAuthenticator`, which has found who is signed in.
package struct OwnersOnly: AsyncMiddleware {
    package init() {}

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard try request.consoleStaff.role == .owner else { throw KeyInError(.forbiddenRequest) }
        return try await next.respond(to: request)
    }
}
