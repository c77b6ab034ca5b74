import KeyInAPI
import KeyInCore
import KeyInGateway
import NIOHTTP1
import NIOWebSocket
import Vapor

/// A WebSocket route with limits an attacker cannot talk past: a frame of at most `maxFrameSize` bytes, and a
/// message (the frames of one text, fragments included) of at most `maxMessageSize`. Vapor's own route caps only
/// the frame, so a client could stream an endless fragmented message into memory; a socket that exceeds either
/// is closed.
struct LimitedWebSocketUpgrader: Upgrader {
    let maxFrameSize: Int
    let maxMessageSize: Int
    let shouldUpgrade: @Sendable () -> EventLoopFuture<HTTPHeaders?>
    let onUpgrade: @Sendable (WebSocket) -> Void

    func applyUpgrade(req: Request, res: Response) -> any HTTPServerProtocolUpgrader {
        NIOWebSocketServerUpgrader(
            maxFrameSize: maxFrameSize, automaticErrorHandling: true,
            shouldUpgrade: { _, _ in shouldUpgrade() },
            upgradePipelineHandler: { channel, _ in
                var configuration = WebSocket.Configuration()
                configuration.maxAccumulatedFrameSize = maxMessageSize
                configuration.maxAccumulatedFrameCount = maxMessageSize / 64 + 1
                configuration.minNonFinalFragmentSize = 1
                return WebSocket.server(on: channel, config: configuration, onUpgrade: onUpgrade)
            })
    }
}

/// What makes a request a WebSocket opening handshake (RFC 6455 §4.2.1).
enum WebSocketHandshake {
    static func isRequested(by request: Request) -> Bool {
        let headers = request.headers
        let connection = headers[.connection].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return connection.contains("upgrade")
            && headers.first(name: .upgrade)?.lowercased() == "websocket"
            && headers.first(name: .secWebSocketKey)?.isEmpty == false
            && headers.first(name: .secWebSocketVersion) == "13"
    }
}

extension RoutesBuilder {
    /// `webSocket` with both limits of `LimitedWebSocketUpgrader`.
    @discardableResult
    func limitedWebSocket(
        _ path: PathComponent..., maxFrameSize: Int, maxMessageSize: Int,
        shouldUpgrade: @escaping @Sendable (Request) -> EventLoopFuture<HTTPHeaders?>,
        onUpgrade: @escaping @Sendable (Request, WebSocket) -> Void
    ) -> Route {
        on(.GET, path) { request -> Response in
            // 101 only for a real handshake that will be accepted: a plain GET is told to upgrade (426), and a
            // handshake the route refuses (another site's page) gets a 403 answer instead of a dropped connection.
            guard WebSocketHandshake.isRequested(by: request) else {
                let refused = ErrorRendering.response(
                    for: APIError(error: KeyInError(.upgradeRequired)), request: request)
                refused.headers.replaceOrAdd(name: .upgrade, value: "websocket")
                refused.headers.replaceOrAdd(name: .connection, value: "Upgrade")
                return refused
            }
            guard try await shouldUpgrade(request).get() != nil else { throw KeyInError(.forbiddenRequest) }
            let response = Response(status: .switchingProtocols)
            response.upgrader = LimitedWebSocketUpgrader(
                maxFrameSize: maxFrameSize, maxMessageSize: maxMessageSize,
                shouldUpgrade: { shouldUpgrade(request) }, onUpgrade: { onUpgrade(request, $0) })
            return response
        }
    }
}
