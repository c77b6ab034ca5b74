import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInPersistence
import Vapor

/// `/console/staff` (owners): who can sign in to the shop's console; add a member, remove one.
extension ConsoleController {
    package func staffPage(_ request: Request) async throws -> Response {
        let me = try request.consoleStaff
        let members = try await services.stores.staff.members(of: me.merchantID)
        let notice = ConsolePages.errorNotice(request)
        let rows: [HTML] = members.map { member in
            let removable = member.id != me.id
            return """
                <tr><td>\(member.email)</td><td>\(member.role == .owner ? "소유자" : "직원")</td>
                <td>\(DisplayFormat.time(member.createdAt, language: .korean))</td>
                <td>\(removable ? """
                <form method="post" action="/console/staff/\(member.id.rawValue.uuidString)/remove"><input type="hidden" name="_csrf" value="\(me.csrfToken)"><button type="submit" class="link">삭제</button></form>
                """ as HTML : "본인")</td></tr>
                """
        }
        return try page(
            "직원 관리", request, current: "/console/staff",
            """
            \(notice)
            <table class="list" id="staff"><thead><tr><th>이메일</th><th>역할</th><th>만든 시각</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
            <h2>직원 추가</h2>
            <form method="post" action="/console/staff" class="terminal">
            <input type="hidden" name="_csrf" value="\(me.csrfToken)">
            <div class="field"><label for="staff-email">이메일</label><input id="staff-email" name="email" type="email" required></div>
            <div class="field"><label for="staff-password">처음 비밀번호 (10자 이상)</label><input id="staff-password" name="password" type="password" minlength="10" required autocomplete="new-password"></div>
            <div class="field"><label for="staff-role">역할</label><select id="staff-role" name="role"><option value="staff">직원</option><option value="owner">소유자</option></select></div>
            <button type="submit">추가</button>
            </form>
            """)
    }

    package struct StaffForm: Content {
        package var email: String?
        package var password: String?
        package var role: String?
    }

    package func addStaff(_ request: Request) async throws -> Response {
        let me = try request.consoleStaff
        let form = request.consoleForm(StaffForm.self) ?? StaffForm()
        do {
            _ = try await services.staff().create(
                merchantID: me.merchantID, email: form.email ?? "", password: form.password ?? "",
                role: form.role == "owner" ? .owner : .staff)
            return request.redirect(to: "/console/staff", redirectType: .normal)
        } catch let error as KeyInError {
            return request.redirect(to: "/console/staff?error=\(error.code.rawValue)", redirectType: .normal)
        }
    }

    /// Removes a member and ends their sessions at once. Owners cannot remove themselves (a shop keeps an owner).
    package func removeStaff(_ request: Request) async throws -> Response {
        let me = try request.consoleStaff
        guard let id = request.parameters.get("staffId").flatMap(UUID.init(uuidString:)).map(StaffID.init(rawValue:))
        else { throw KeyInError(.notFoundStaffMember) }
        guard id != me.id else {
            throw KeyInError(.forbiddenRequest, detail: "a member cannot remove their own account")
        }
        guard try await services.stores.staff.remove(id, of: me.merchantID) else {
            throw KeyInError(.notFoundStaffMember)
        }
        return request.redirect(to: "/console/staff", redirectType: .normal)
    }
}
