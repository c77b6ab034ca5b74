import Foundation
import Testing
import Vapor

/// A console member signed in, as their browser holds them: the session cookie, and the CSRF token every page
/// carries for its forms.
struct ConsoleSession {
    let gateway: GatewayHarness
    let cookie: String
    let csrf: String

    static let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]

    /// `application/x-www-form-urlencoded`, as a browser sends a form.
    static func formBody(_ fields: [String: String]) -> String {
        fields.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
    }

    /// What a browser holds after opening the sign-in page: the form token's cookie, and the token in the form.
    static func loginForm(_ gateway: GatewayHarness) async throws -> (cookie: String, token: String) {
        let page = try await gateway.send(.GET, "console/login", authenticated: false)
        let setCookie = try #require(page.headers.first(name: .setCookie))
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
        let html = String(decoding: page.raw, as: UTF8.self)
        let token = try #require(html.firstMatch(of: /name="_csrf" value="([0-9a-f]+)"/)?.1)
        return (String(try #require(setCookie.split(separator: ";").first)), String(token))
    }

    /// Posts the sign-in form as the page would: its token in the form and in the cookie.
    static func postLogin(_ gateway: GatewayHarness, _ fields: [String: String]) async throws -> APIResponse {
        let login = try await loginForm(gateway)
        var headers = form
        headers.add(name: "Cookie", value: login.cookie)
        return try await gateway.send(
            .POST, "console/login", rawBody: formBody(fields.merging(["_csrf": login.token]) { $1 }), headers: headers,
            authenticated: false)
    }

    /// Signs in through the form, as a person does, and reads the CSRF token from a page.
    static func signIn(_ gateway: GatewayHarness, email: String, password: String) async throws -> ConsoleSession {
        let response = try await postLogin(gateway, ["email": email, "password": password])
        #expect(response.status == .seeOther, "\(String(decoding: response.raw, as: UTF8.self))")
        let setCookie = try #require(response.headers.first(name: .setCookie))
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
        let cookie = String(try #require(setCookie.split(separator: ";").first))
        let page = try await gateway.send(.GET, "console/terminal", headers: ["Cookie": cookie], authenticated: false)
        let html = String(decoding: page.raw, as: UTF8.self)
        let csrf = try #require(html.firstMatch(of: /"csrfToken":"([0-9a-f]+)"/)?.1)
        return ConsoleSession(gateway: gateway, cookie: cookie, csrf: String(csrf))
    }

    /// A GET with the session's cookie (and any other headers).
    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> APIResponse {
        var all: HTTPHeaders = ["Cookie": cookie]
        for (name, value) in headers { all.replaceOrAdd(name: name, value: value) }
        return try await gateway.send(.GET, path, headers: all, authenticated: false)
    }

    /// A console page read into its elements; the page must answer 200 and be well formed.
    func page(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> HTMLPage {
        let response = try await get(path)
        #expect(response.status == .ok, "GET \(path)", sourceLocation: sourceLocation)
        return try HTMLPage(response)
    }

    /// Submits a form as the page would: with the session's cookie and, unless `withCSRF` is false, its token.
    func submit(_ path: String, _ fields: [String: String] = [:], withCSRF: Bool = true) async throws -> APIResponse {
        var headers = Self.form
        headers.add(name: "Cookie", value: cookie)
        var fields = fields
        if withCSRF { fields["_csrf"] = csrf }
        return try await gateway.send(
            .POST, path, rawBody: Self.formBody(fields), headers: headers, authenticated: false)
    }
}

extension HTMLPage {
    /// A response's body read as a page.
    init(_ response: APIResponse) throws {
        try self.init(String(decoding: response.raw, as: UTF8.self))
    }
}
