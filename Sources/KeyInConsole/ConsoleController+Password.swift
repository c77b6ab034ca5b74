import Foundation
import KeyInAPI
import KeyInCore
import KeyInGateway
import KeyInPages
import Vapor

/// Passwords: a signed-in member changes theirs (`/console/password`); one who forgot it asks for a reset link by
/// e-mail (`/console/forgot`), sent through the message outbox, and sets a new one with it (`/console/reset/{token}`).
extension ConsoleController {
    package struct PasswordForm: Content {
        package var currentPassword: String?
        package var newPassword: String?
        package var confirmPassword: String?
    }

    package func passwordPage(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        var notice = ConsolePages.errorNotice(request)
        if request.query[String.self, at: "error"] == ErrorCode.invalidLogin.rawValue {
            notice = "<p class=\"notice\" role=\"alert\" id=\"console-error\">현재 비밀번호가 맞지 않습니다. 다시 확인해 주세요.</p>"
        } else if request.query[String.self, at: "changed"] != nil {
            notice =
                "<p class=\"done\" role=\"status\" id=\"password-changed\">비밀번호를 바꿨습니다. 다른 곳에서 로그인해 있던 세션은 모두 끝났습니다.</p>"
        } else if let param = request.query[String.self, at: "param"] {
            notice = "<p class=\"notice\" role=\"alert\" id=\"console-error\">\(Self.ruleProblem(param: param))</p>"
        }
        return try page(
            "비밀번호 변경", request, current: "/console/password",
            """
            \(notice)
            <form method="post" action="/console/password" class="terminal" id="password-form">
            <input type="hidden" name="_csrf" value="\(staff.csrfToken)">
            <div class="field"><label for="current-password">현재 비밀번호</label><input id="current-password" name="currentPassword" type="password" autocomplete="current-password" required></div>
            \(Self.newPasswordFields)
            <button type="submit">바꾸기</button>
            </form>
            """)
    }

    package func changePassword(_ request: Request) async throws -> Response {
        let staff = try request.consoleStaff
        let form = request.consoleForm(PasswordForm.self) ?? PasswordForm()
        do {
            let new = try Self.confirmedNewPassword(form)
            try await services.staff().changePassword(
                staffID: staff.id, keepingSession: staff.sessionID, current: form.currentPassword ?? "", new: new)
            return request.redirect(to: "/console/password?changed=1", redirectType: .normal)
        } catch let error as KeyInError {
            let rule = error.code == .invalidRequest ? "&param=\(error.param ?? "")" : ""
            return request.redirect(to: "/console/password?error=\(error.code.rawValue)\(rule)", redirectType: .normal)
        }
    }

    // MARK: Forgotten passwords

    package struct ForgotForm: Content {
        package var email: String?
    }

    package func forgotPage(_ request: Request) async throws -> Response {
        ConsolePages.standalone(
            "비밀번호 재설정",
            """
            <p>콘솔에 로그인하는 이메일을 적어 주세요. 30분 동안 쓸 수 있는 재설정 링크를 보내 드립니다.</p>
            <form method="post" action="/console/forgot">
            <div class="field"><label for="email">이메일</label><input id="email" name="email" type="email" autocomplete="username" required maxlength="100"></div>
            <button type="submit" id="forgot-button">재설정 링크 받기</button>
            </form>
            <p><a href="/console/login">로그인 화면으로</a></p>
            """)
    }

    /// Answers the same whether or not the e-mail has an account, so the page cannot be used to find members.
    package func forgot(_ request: Request) async throws -> Response {
        // Known and unknown e-mails take the same time to answer, as well as the same page.
        let answerAfter = ContinuousClock.now + Self.forgotAnswerTime
        let form = request.consoleForm(ForgotForm.self) ?? ForgotForm()
        // One address cannot make the gateway mail reset links to every member it can name.
        try await services.attemptLimits.admit(AttemptLimits.passwordResetPerAddress, subject: request.clientAddress)
        if let started = try await services.staff().beginReset(email: form.email ?? "") {
            let url = services.publicBaseURL + "/console/reset/" + started.token
            try await services.messages(request.logger).enqueue(
                .email, to: started.account.email,
                body: """
                    [KeyIn] 콘솔 비밀번호 재설정
                    아래 링크에서 30분 안에 새 비밀번호를 정해 주세요. 직접 요청하지 않으셨다면 이 메일은 무시하셔도 됩니다.
                    \(url)
                    """,
                about: "password_reset:\(started.account.id.uuidString)", merchantID: started.account.merchantID)
        }
        try? await Task.sleep(until: answerAfter, clock: .continuous)
        return ConsolePages.standalone(
            "비밀번호 재설정",
            """
            <p class="done" role="status" id="forgot-sent">입력하신 이메일로 등록된 계정이 있으면 재설정 링크를 보냈습니다. 30분 안에 메일의 링크를 열어 주세요.</p>
            <p><a href="/console/login">로그인 화면으로</a></p>
            """)
    }

    /// Longer than either path takes, so response time does not tell which e-mails have accounts.
    package static let forgotAnswerTime: Duration = .milliseconds(300)

    package func resetPage(_ request: Request) async throws -> Response {
        let token = request.parameters.get("token") ?? ""
        let reset = try await services.staff().pendingReset(token: token)
        return Self.resetForm(token: token, email: reset.staff.email, error: nil)
    }

    package func reset(_ request: Request) async throws -> Response {
        let token = request.parameters.get("token") ?? ""
        let form = request.consoleForm(PasswordForm.self) ?? PasswordForm()
        let staff = services.staff()
        do {
            _ = try await staff.completeReset(token: token, newPassword: try Self.confirmedNewPassword(form))
            return request.redirect(to: "/console/login?reset=1", redirectType: .normal)
        } catch let error as KeyInError where error.code == .invalidRequest {
            // The password broke a rule: the link still works, so the form comes back with the reason.
            let reset = try await staff.pendingReset(token: token)
            let response = Self.resetForm(token: token, email: reset.staff.email, error: error)
            response.status = .badRequest
            return response
        }
    }

    private static let newPasswordFields: HTML = {
        let (shortest, longest) = (StaffAccounts.minimumPasswordLength, StaffAccounts.maximumPasswordLength)
        let limits: HTML = "minlength=\"\(shortest)\" maxlength=\"\(longest)\""
        return """
            <div class="field"><label for="new-password">새 비밀번호 (\(shortest)자 이상)</label><input id="new-password" name="newPassword" type="password" autocomplete="new-password" \(limits) required></div>
            <div class="field"><label for="confirm-password">새 비밀번호 확인</label><input id="confirm-password" name="confirmPassword" type="password" autocomplete="new-password" \(limits) required></div>
            """
    }()

    private static func confirmedNewPassword(_ form: PasswordForm) throws -> String {
        let new = form.newPassword ?? ""
        guard new == form.confirmPassword else {
            throw KeyInError(.invalidRequest, param: "confirmPassword", detail: "the two new passwords differ")
        }
        try StaffAccounts.checkNewPassword(new)
        return new
    }

    /// Which rule a new password broke, in words.
    private static func ruleProblem(param: String?) -> String {
        param == "confirmPassword"
            ? "새 비밀번호 두 칸이 서로 다릅니다."
            : "비밀번호는 \(StaffAccounts.minimumPasswordLength)자 이상 \(StaffAccounts.maximumPasswordLength)자 이하로 정해 주세요."
    }

    private static func resetForm(token: String, email: String, error: KeyInError?) -> Response {
        ConsolePages.standalone(
            "새 비밀번호 정하기",
            """
            \(error.map { "<p class=\"notice\" role=\"alert\" id=\"reset-error\">\(ruleProblem(param: $0.param))</p>" as HTML })
            <p>\(email) 계정의 새 비밀번호를 정해 주세요. 바꾸면 이 계정의 모든 로그인 세션이 끝납니다.</p>
            <form method="post" action="/console/reset/\(token)" id="reset-form">
            \(newPasswordFields)
            <button type="submit" id="reset-button">비밀번호 바꾸기</button>
            </form>
            """)
    }
}
