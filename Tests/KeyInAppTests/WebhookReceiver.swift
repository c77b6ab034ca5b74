import Foundation
import Synchronization
import Vapor

/// A merchant's webhook endpoint for tests: a real HTTP server on a loopback port that records every request and
/// answers with the status a test sets (200 until told otherwise).
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let headers: HTTPHeaders
        let body: Data

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    /// What the route handler and the test share.
    private final class State: Sendable {
        let value = Mutex<(received: [Received], answer: HTTPStatus)>(([], .ok))
    }

    private let app: Application
    private let state: State
    let port: Int

    var url: String { "http://127.0.0.1:\(port)/hooks/keyin" }
    var received: [Received] { state.value.withLock { $0.received } }

    private init(app: Application, state: State, port: Int) {
        self.app = app
        self.state = state
        self.port = port
    }

    static func start() async throws -> WebhookReceiver {
        let app = try await Application.make(.testing)
        let state = State()
        app.on(.POST, "hooks", "keyin", body: .collect(maxSize: "1mb")) { request -> Response in
            let received = Received(headers: request.headers, body: Data(buffer: request.body.data ?? .init()))
            let status = state.value.withLock { value in
                value.received.append(received)
                return value.answer
            }
            return Response(status: status)
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else {
            throw Abort(.internalServerError, reason: "the receiver has no port")
        }
        return WebhookReceiver(app: app, state: state, port: port)
    }

    /// Answers every request from now on with `status`.
    func answerAlways(_ status: HTTPStatus) { state.value.withLock { $0.answer = status } }

    func stop() async {
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }

    static func with<T>(_ body: (WebhookReceiver) async throws -> T) async throws -> T {
        let receiver = try await start()
        do {
            let result = try await body(receiver)
            await receiver.stop()
            return result
        } catch {
            await receiver.stop()
            throw error
        }
    }
}
