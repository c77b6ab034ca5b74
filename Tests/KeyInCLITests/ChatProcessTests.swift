import ChildProcesses
import Foundation
import NIOPosix
import Synchronization
import Testing
import Vapor

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A WebSocket client whose received frames arrive in order on a stream.
struct ChatClient {
    let socket: WebSocket
    var frames: AsyncStream<[String: Any]>.Iterator

    static func connect(_ url: String, headers: HTTPHeaders = [:]) async throws -> ChatClient {
        // As the site's own page opens it: a browser always names the page's origin.
        var headers = headers
        if headers.first(name: .origin) == nil, let components = URLComponents(string: url),
            let host = components.host
        {
            headers.add(name: .origin, value: "http://\(host)\(components.port.map { ":\($0)" } ?? "")")
        }
        let (stream, continuation) = AsyncStream.makeStream(of: [String: Any].self)
        let resumed = Mutex(false)
        // The socket is handed over when the upgrade completes, which may be after `connect` itself succeeds.
        let socket: WebSocket = try await withCheckedThrowingContinuation { upgraded in
            let connecting = WebSocket.connect(to: url, headers: headers, on: MultiThreadedEventLoopGroup.singleton) {
                socket in
                socket.onText { _, text in
                    continuation.yield(
                        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:])
                }
                socket.onClose.whenComplete { _ in continuation.finish() }
                if resumed.withLock({ done in
                    defer { done = true }; return !done
                }) {
                    upgraded.resume(returning: socket)
                }
            }
            connecting.whenFailure { error in
                if resumed.withLock({ done in
                    defer { done = true }; return !done
                }) {
                    upgraded.resume(throwing: error)
                }
            }
        }
        return ChatClient(socket: socket, frames: stream.makeAsyncIterator())
    }

    mutating func next() async -> [String: Any]? { await frames.next() }

    func send(_ frame: [String: String]) async throws {
        try await socket.send(String(decoding: try JSONSerialization.data(withJSONObject: frame), as: UTF8.self))
    }
}

/// Keeps a redirect's response (and its Set-Cookie) instead of following it.
final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}

extension ServeCrashTests {
    @Test("A chat message larger than 8 KiB, in one frame or in fragments, closes the socket")
    func oversizedChatMessages() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-chat-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let gateway = try await serveWithDemo(dataDirectory)
        defer { gateway.server.interrupt() }
        let link = try await Self.request(
            "POST", "http://127.0.0.1:\(gateway.port)/v1/payment-links", key: gateway.key,
            body: #"{"amount":30000,"orderName":"원피스"}"#)
        let linkKey = String(try #require((link["url"] as? String)?.split(separator: "/").last))
        let chatURL = "ws://127.0.0.1:\(gateway.port)/pay/\(linkKey)/chat"

        var whole = try await ChatClient.connect(chatURL)
        #expect(await whole.next()?["type"] as? String == "hello")
        // 9,000 bytes in one frame. (A send may fail once the server has closed: that is the point.)
        try? await whole.socket.send(String(repeating: "가", count: 3_000))
        #expect(await whole.next() == nil, "the socket should have been closed")

        var fragmented = try await ChatClient.connect(chatURL)
        #expect(await fragmented.next()?["type"] as? String == "hello")
        let piece = Array(String(repeating: "a", count: 1_024).utf8)
        try? await fragmented.socket.send(raw: piece, opcode: .text, fin: false)
        for _ in 1...9 { try? await fragmented.socket.send(raw: piece, opcode: .continuation, fin: false) }
        #expect(await fragmented.next() == nil, "the socket should have been closed")

        // A message of a normal size still goes through on a new socket.
        var normal = try await ChatClient.connect(chatURL)
        #expect(await normal.next()?["type"] as? String == "hello")
        try await normal.send(["type": "message", "body": "안녕하세요", "contact": "010-1111-2222"])
        #expect(await normal.next()?["type"] as? String == "system")
    }

    @Test("Three customer sockets per link and ten per address at most; a closed one makes room")
    func chatSocketCaps() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-chat-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let gateway = try await serveWithDemo(dataDirectory)
        defer { gateway.server.interrupt() }
        var links: [String] = []
        for _ in 1...4 {
            let link = try await Self.request(
                "POST", "http://127.0.0.1:\(gateway.port)/v1/payment-links", key: gateway.key,
                body: #"{"amount":30000,"orderName":"원피스"}"#)
            links.append(String(try #require((link["url"] as? String)?.split(separator: "/").last)))
        }
        func open(_ link: String) async throws -> ChatClient {
            try await ChatClient.connect("ws://127.0.0.1:\(gateway.port)/pay/\(link)/chat")
        }
        var first: [ChatClient] = []
        for _ in 1...3 {
            var client = try await open(links[0])
            #expect(await client.next()?["type"] as? String == "hello")
            first.append(client)
        }
        var fourth = try await open(links[0])
        #expect(await fourth.next() == nil, "a fourth socket on one link should be closed")
        try await first[0].socket.close()
        // The server counts the socket out when it sees the close: a new one is admitted once it has (no fixed
        // wait; a bounded number of tries).
        var admitted = false
        for _ in 1...50 where !admitted {
            var again = try await open(links[0])
            admitted = await again.next()?["type"] as? String == "hello"
            if admitted { first[0] = again }
        }
        #expect(admitted, "a socket closed on the link should make room for another")
        // From one address: ten in all, over any links.
        var others: [ChatClient] = []
        for link in [links[1], links[1], links[1], links[2], links[2], links[2], links[3]] {
            var client = try await open(link)
            #expect(await client.next()?["type"] as? String == "hello")
            others.append(client)
        }
        var eleventh = try await open(links[3])
        #expect(await eleventh.next() == nil, "an eleventh socket from one address should be closed")
    }

    @Test("Live chat: with no staff online it becomes an inquiry; with staff online messages go both ways")
    func liveChat() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-chat-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let gateway = try await serveWithDemo(dataDirectory)
        defer { gateway.server.interrupt() }
        let (port, key, login) = (gateway.port, gateway.key, gateway.login)
        let base = "http://127.0.0.1:\(port)"
        let link = try await Self.request(
            "POST", "\(base)/v1/payment-links", key: key, body: #"{"amount":30000,"orderName":"원피스"}"#)
        let linkKey = String(try #require((link["url"] as? String)?.split(separator: "/").last))
        let chatURL = "ws://127.0.0.1:\(port)/pay/\(linkKey)/chat"

        // Nobody at the shop: kept as an inquiry, and the customer is told so.
        var alone = try await ChatClient.connect(chatURL)
        #expect(await alone.next()?["staffOnline"] as? Bool == false)
        try await alone.send(["type": "message", "body": "사이즈 교환 되나요?", "contact": "010-1111-2222"])
        let note = try #require(await alone.next())
        #expect(note["type"] as? String == "system" && (note["body"] as? String)?.contains("문의로 접수") == true)
        try await alone.socket.close()

        // Staff sign in to the console.
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        let cookie = try await Self.consoleCookie(base, email: login.email, password: login.password)
        var inboxRequest = URLRequest(url: URL(string: "\(base)/console/inquiries")!)
        inboxRequest.setValue(cookie, forHTTPHeaderField: "Cookie")
        let inbox = String(decoding: try await session.data(for: inboxRequest).0, as: UTF8.self)
        #expect(inbox.contains("채팅") && inbox.contains("010-1111-2222"))

        // Staff online: live both ways.
        var staff = try await ChatClient.connect("ws://127.0.0.1:\(port)/console/chat/ws", headers: ["Cookie": cookie])
        #expect(await staff.next()?["type"] as? String == "hello")
        var customer = try await ChatClient.connect(chatURL)
        #expect(await customer.next()?["staffOnline"] as? Bool == true)
        // A card number typed into the chat reaches the shop (and its records) masked.
        try await customer.send(["type": "message", "body": "결제가 안 돼요. 카드는 4242-4242-4242-4242예요"])
        let arrived = try #require(await staff.next())
        #expect(arrived["author"] as? String == "CUSTOMER")
        #expect(arrived["body"] as? String == "결제가 안 돼요. 카드는 424242******4242예요")
        #expect(arrived["orderName"] as? String == "원피스")
        let inquiryID = try #require(arrived["inquiryId"] as? String)
        try await staff.send(["type": "message", "inquiryId": inquiryID, "body": "카드 번호를 다시 확인해 주세요"])
        let reply = try #require(await customer.next())
        #expect(reply["author"] as? String == "STAFF" && reply["body"] as? String == "카드 번호를 다시 확인해 주세요")
        #expect(await staff.next()?["author"] as? String == "STAFF")  // their own reply, as the other staff see it

        // A script flooding the chat: twenty messages a minute on one link reach the shop (two were sent on it
        // already, above), the rest are turned back.
        for number in 1...21 { try await customer.send(["type": "message", "body": "도배 \(number)"]) }
        var relayed = 0
        while relayed < 18, let frame = await staff.next() {
            if (frame["body"] as? String)?.hasPrefix("도배") == true { relayed += 1 }
        }
        let turnedBack = try #require(await customer.next())
        #expect(turnedBack["type"] as? String == "system" && (turnedBack["body"] as? String)?.contains("너무 빨리") == true)
        var threadRequest = URLRequest(url: URL(string: "\(base)/console/inquiries/\(inquiryID)")!)
        threadRequest.setValue(cookie, forHTTPHeaderField: "Cookie")
        let thread = String(decoding: try await session.data(for: threadRequest).0, as: UTF8.self)
        #expect(thread.components(separatedBy: "<p>도배 ").count - 1 == 18)

        // Signed out elsewhere: the open chat socket may not answer customers any more, and is closed.
        var terminal = URLRequest(url: URL(string: "\(base)/console/terminal")!)
        terminal.setValue(cookie, forHTTPHeaderField: "Cookie")
        let page = String(decoding: try await session.data(for: terminal).0, as: UTF8.self)
        let csrf = String(try #require(page.firstMatch(of: /"csrfToken":"([0-9a-f]+)"/)?.1))
        var signOut = URLRequest(url: URL(string: "\(base)/console/logout")!)
        signOut.httpMethod = "POST"
        signOut.setValue(cookie, forHTTPHeaderField: "Cookie")
        signOut.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        signOut.httpBody = Data("_csrf=\(csrf)".utf8)
        _ = try await session.data(for: signOut)
        try await staff.send(["type": "message", "inquiryId": inquiryID, "body": "로그아웃 후 답장"])
        #expect(await staff.next() == nil)
        try await customer.socket.close()
    }

    /// Starts `keyin serve` on a new data directory and reads what its first start prints: the demo merchant's
    /// secret key and console sign-in.
    func serveWithDemo(_ dataDirectory: URL, environment: [String: String] = [:]) async throws -> (
        server: ChildProcess, port: Int, key: String, login: (email: String, password: String), errorLog: URL
    ) {
        let (server, output, errorLog) = try await launch(
            ["serve", "--data-dir", dataDirectory.path, "--port", "0"], environment: environment)
        var banner = await read(output, until: /(test_sk_[A-Za-z0-9]+)/) ?? ""
        if !banner.contains("console: ") { banner += await read(output, until: /console: (\S+)/) ?? "" }
        guard let port = listeningPort(banner).flatMap(Int.init),
            let key = banner.firstMatch(of: /(test_sk_[A-Za-z0-9]+)/)?.1,
            let login = banner.firstMatch(of: /console: \S+\s+(\S+) \/ (\S+)/)
        else {
            server.interrupt()
            // What the server said before it stopped, so a failure to start can be told apart (a port taken by a
            // test running alongside, a migration error).
            let errors = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            throw DemoBannerMissing(banner: banner, errors: String(errors.suffix(2_000)))
        }
        return (server, port, String(key), (String(login.1), String(login.2)), errorLog)
    }

    struct DemoBannerMissing: Error {
        let banner: String
        let errors: String
    }

    /// Signs in to the console and returns the session cookie (`name=value`).
    static func consoleCookie(_ base: String, email: String, password: String) async throws -> String {
        let login = try await consoleLoginForm(base)
        var signIn = URLRequest(url: URL(string: "\(base)/console/login")!)
        signIn.httpMethod = "POST"
        signIn.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        signIn.setValue(login.cookie, forHTTPHeaderField: "Cookie")
        signIn.httpBody = Data(
            "email=\(email.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&password=\(password)&_csrf=\(login.token)"
                .utf8)
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        let (_, response) = try await session.data(for: signIn)
        let setCookie = try #require((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Set-Cookie"))
        return String(try #require(setCookie.split(separator: ";").first))
    }

    @Test("Live chat across two keyin serve processes on one database: staff on one, the customer on the other")
    func liveChatAcrossProcesses() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-chat2-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let gateway = try await serveWithDemo(dataDirectory)
        defer { gateway.server.interrupt() }
        let (first, key, login) = (gateway.port, gateway.key, gateway.login)
        // A second process on the same database (the demo merchant exists already).
        let (secondServer, secondOutput, _) = try await launch([
            "serve", "--data-dir", dataDirectory.path, "--port", "0",
        ])
        defer { secondServer.interrupt() }
        let second = try #require(listeningPort(await read(secondOutput, until: ServeCrashTests.listening)))

        let link = try await Self.request(
            "POST", "http://127.0.0.1:\(first)/v1/payment-links", key: key,
            body: #"{"amount":45000,"orderName":"니트 가디건"}"#)
        let linkKey = String(try #require((link["url"] as? String)?.split(separator: "/").last))

        // Staff are on the first process; the customer's page reaches the second.
        let cookie = try await Self.consoleCookie(
            "http://127.0.0.1:\(first)", email: login.email, password: login.password)
        var staff = try await ChatClient.connect(
            "ws://127.0.0.1:\(first)/console/chat/ws", headers: ["Cookie": cookie])
        #expect(await staff.next()?["type"] as? String == "hello")
        var customer = try await ChatClient.connect("ws://127.0.0.1:\(second)/pay/\(linkKey)/chat")
        #expect(await customer.next()?["staffOnline"] as? Bool == true)
        try await customer.send(["type": "message", "body": "색상 변경 가능한가요?", "contact": "010-3333-4444"])
        let arrived = try #require(await staff.next())
        #expect(arrived["author"] as? String == "CUSTOMER" && arrived["body"] as? String == "색상 변경 가능한가요?")
        #expect(arrived["contact"] as? String == "010-3333-4444" && arrived["orderName"] as? String == "니트 가디건")
        let inquiryID = try #require(arrived["inquiryId"] as? String)
        try await staff.send(["type": "message", "inquiryId": inquiryID, "body": "네, 회색으로 바꿔 드릴게요"])
        // The staff member sees their own reply once; the customer gets it on the other process, once.
        let echoed = try #require(await staff.next())
        #expect(echoed["author"] as? String == "STAFF" && echoed["body"] as? String == "네, 회색으로 바꿔 드릴게요")
        let reply = try #require(await customer.next())
        #expect(reply["author"] as? String == "STAFF" && reply["body"] as? String == "네, 회색으로 바꿔 드릴게요")
        // Nothing was relayed twice: the next frame each side sees is the customer's next message.
        try await customer.send(["type": "message", "body": "감사합니다"])
        #expect(await staff.next()?["body"] as? String == "감사합니다")
        try await customer.socket.close()
        try await staff.socket.close()
    }
}
