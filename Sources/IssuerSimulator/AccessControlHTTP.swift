import CardholderAuthentication
import Foundation

/// The ACS on HTTP, whatever serves it (the simulator's admin server, or the gateway's test mode in-process): the
/// signed protocol routes for the gateway, the challenge page for the cardholder, and the codes "sent".
public struct AccessControlHTTP: Sendable {
    public let server: AccessControlServer
    public let signature: MessageSignature
    private let now: @Sendable () -> Date

    public init(
        server: AccessControlServer, signingKey: String = AccessControlServer.defaultSigningKey,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.server = server
        self.signature = MessageSignature(sharedKey: signingKey)
        self.now = now
    }

    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data
    }

    /// This ACS as an `AuthenticationClient` transport and a page server, in-process: the gateway's test mode and
    /// the tests speak to it through this, exactly as over HTTP.
    public var transport: AuthenticationClient.Transport {
        { method, path, headers, body in
            let answer = await handle(method: method, path: path, headers: headers, body: body)
            return (answer.status, answer.headers, answer.body)
        }
    }

    /// `path` without its query; `headers` looked up case-insensitively.
    public func handle(method: String, path: String, headers: [(String, String)], body: Data) async -> Answer {
        let signatureHeader = headers.first { $0.0.lowercased() == MessageSignature.headerName.lowercased() }?.1
        if method == "POST", path == AuthenticationRoutes.authenticate {
            return await signed(method: method, path: path, header: signatureHeader, body: body) {
                let request = try AuthenticationJSON.decode(AuthenticationRequest.self, from: body)
                return await server.authenticate(request)
            }
        }
        if method == "GET", path.hasPrefix(AuthenticationRoutes.authenticate + "/") {
            let id = String(path.dropFirst(AuthenticationRoutes.authenticate.count + 1))
            return await signed(method: method, path: path, header: signatureHeader, body: body) {
                await server.result(serverTransactionID: id)
            }
        }
        if method == "GET", path == AuthenticationRoutes.sentCodes {
            let codes = (try? AuthenticationJSON.encode(await server.sentCodes())) ?? Data("[]".utf8)
            return Answer(status: 200, headers: [("Content-Type", "application/json; charset=utf-8")], body: codes)
        }
        let challengePrefix = AuthenticationRoutes.challenge("")
        if path.hasPrefix(challengePrefix) {
            let acsID = String(path.dropFirst(challengePrefix.count))
            switch method {
            case "GET": return page(await server.challenge(acsTransactionID: acsID), acsID: acsID, wrongCode: false)
            case "POST":
                let form = Self.form(body)
                let answer: AccessControlServer.ChallengeAnswer =
                    form["action"] == "cancel" ? .cancel : .code(form["code"] ?? "")
                return page(await server.answer(answer, acsTransactionID: acsID), acsID: acsID, wrongCode: true)
            default: break
            }
        }
        return Answer(
            status: 404, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Data("not found".utf8))
    }

    /// A protocol route: the gateway's signature checked, the answer signed over the same method and path.
    private func signed(
        method: String, path: String, header: String?, body: Data,
        _ make: () async throws -> AuthenticationResult?
    ) async -> Answer {
        do {
            try signature.verify(header, method: method, path: path, body: body, at: now())
        } catch {
            return Answer(
                status: 401, headers: [("Content-Type", "application/json; charset=utf-8")],
                body: Data(#"{"error":"signature"}"#.utf8))
        }
        let result: AuthenticationResult?
        do {
            result = try await make()
        } catch {
            return Answer(
                status: 400, headers: [("Content-Type", "application/json; charset=utf-8")],
                body: Data(#"{"error":"malformed request"}"#.utf8))
        }
        guard let result, let data = try? AuthenticationJSON.encode(result) else {
            return Answer(
                status: 404, headers: [("Content-Type", "application/json; charset=utf-8")],
                body: Data(#"{"error":"unknown transaction"}"#.utf8))
        }
        return Answer(
            status: 200,
            headers: [
                ("Content-Type", "application/json; charset=utf-8"),
                (MessageSignature.headerName, signature.sign(method: method, path: path, body: data, at: now())),
            ], body: data)
    }

    /// The challenge page: the code form while open, a redirect back to the gateway once ended.
    private func page(_ state: AccessControlServer.ChallengeState, acsID: String, wrongCode: Bool) -> Answer {
        let html: String
        switch state {
        case .unknown:
            html = Self.document(
                "<h1>인증 정보를 찾을 수 없습니다</h1><p>결제 화면으로 돌아가 다시 결제해 주세요.</p>")
            return Answer(status: 404, headers: Self.htmlHeaders, body: Data(html.utf8))
        case .ended(let returnURL, _):
            // 303: the browser goes back to the gateway with a GET, which asks the ACS for the result itself.
            return Answer(
                status: 303, headers: Self.htmlHeaders + [("Location", returnURL)],
                body: Data(Self.document("<p><a href=\"\(Self.escape(returnURL))\">결제 화면으로 돌아가기</a></p>").utf8))
        case .open(let merchant, let amount, let currency, let lastFour, let triesLeft):
            let amountText = currency == "410" ? "\(Self.grouped(amount))원" : "\(amount) (\(currency))"
            let error =
                wrongCode && triesLeft < AccessControlServer.allowedAttempts
                ? "<p class=\"error\" role=\"alert\" id=\"acs-error\">인증번호가 맞지 않습니다. \(triesLeft)번 더 입력할 수 있습니다.</p>"
                : ""
            html = Self.document(
                """
                <h1>카드 본인인증</h1>
                <p>\(Self.escape(merchant)) · \(amountText)</p>
                <p>카드 끝자리 \(Self.escape(lastFour))의 휴대폰으로 보낸 인증번호 6자리를 입력해 주세요. 10분 안에 입력해야 합니다.</p>
                \(error)
                <form method="post" action="\(AuthenticationRoutes.challenge(Self.escape(acsID)))">
                <label for="code">인증번호</label>
                <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}" required autofocus aria-describedby="acs-error">
                <button type="submit" id="acs-submit">인증하기</button>
                </form>
                <form method="post" action="\(AuthenticationRoutes.challenge(Self.escape(acsID)))">
                <input type="hidden" name="action" value="cancel">
                <button type="submit" id="acs-cancel">인증 취소</button>
                </form>
                """)
        }
        return Answer(status: 200, headers: Self.htmlHeaders, body: Data(html.utf8))
    }

    static let htmlHeaders = [
        ("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"),
        ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action *"),
    ]

    static func document(_ body: String) -> String {
        """
        <!doctype html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>카드 본인인증 · 카드사 (시뮬레이터)</title>
        <style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem}input,button{font-size:1.2rem;padding:.5rem;margin:.3rem 0}.error{color:#b00020}</style>
        </head><body><main>\(body)</main></body></html>
        """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func grouped(_ amount: Int64) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.groupingSeparator = ","
        return formatter.string(from: NSNumber(value: amount)) ?? String(amount)
    }

    /// An `application/x-www-form-urlencoded` body.
    static func form(_ body: Data) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body.prefix(4096), as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }
}
