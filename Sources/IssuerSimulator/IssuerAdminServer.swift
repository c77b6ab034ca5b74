import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP endpoint beside the simulator: `GET /ledger` returns every ledger entry and the totals as JSON,
/// for `keyin issuer ledger` and for reconciliation scripts; with an ACS, its 3-D Secure routes too
/// (`AccessControlHTTP`).
public final class IssuerAdminServer: Sendable {
    private let engine: IssuerEngine
    private let acs: AccessControlHTTP?
    private let group: any EventLoopGroup
    private let channel = Mutex<(any Channel)?>(nil)

    public init(
        engine: IssuerEngine, acs: AccessControlHTTP? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.engine = engine
        self.acs = acs
        self.group = group
    }

    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int) async throws -> Int {
        let engine = self.engine
        let acs = self.acs
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(AdminHandler(engine: engine, acs: acs))
                }
            }
            .bind(host: host, port: port).get()
        self.channel.withLock { $0 = channel }
        return channel.localAddress?.port ?? port
    }

    public func stop() async throws {
        let channel = self.channel.withLock { channel in
            defer { channel = nil }
            return channel
        }
        try await channel?.close()
    }
}

/// The ledger document: entries in the order they happened, and the sums.
public struct LedgerDocument: Codable, Sendable {
    public let entries: [LedgerEntry]
    public let totals: LedgerTotals

    public init(entries: [LedgerEntry]) {
        self.entries = entries
        self.totals = entries.totals
    }

    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try! encoder.encode(self)
    }
}

private final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let engine: IssuerEngine
    private let acs: AccessControlHTTP?
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    /// A challenge answer or an authentication request is small: anything larger is refused.
    static let maximumBody = 16 * 1024

    init(engine: IssuerEngine, acs: AccessControlHTTP?) {
        self.engine = engine
        self.acs = acs
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            if body.readableBytes + part.readableBytes <= Self.maximumBody { body.writeBuffer(&part) }
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, body: Data(body.readableBytesView), channel: context.channel)
        }
    }

    private func respond(to head: HTTPRequestHead, body requestBody: Data, channel: any Channel) {
        let engine = self.engine
        let acs = self.acs
        let path = String(head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        let requestHeaders = head.headers.map { ($0.name, $0.value) }
        Task {
            var status: HTTPResponseStatus
            var body: Data
            var headers = HTTPHeaders()
            switch (head.method, path) {
            case (.GET, "/ledger"):
                (status, body) = (.ok, LedgerDocument(entries: await engine.entries()).json())
                headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            case (.GET, "/health"):
                (status, body) = (.ok, Data(#"{"status":"ok"}"#.utf8))
                headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            default:
                if let acs, path.hasPrefix("/3ds/") {
                    let answer = await acs.handle(
                        method: head.method.rawValue, path: path, headers: requestHeaders, body: requestBody)
                    (status, body) = (HTTPResponseStatus(statusCode: answer.status), answer.body)
                    for (name, value) in answer.headers { headers.add(name: name, value: value) }
                } else {
                    (status, body) = (.notFound, Data(#"{"error":"not found: GET /ledger or /health"}"#.utf8))
                    headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
                }
            }
            headers.add(name: "Content-Length", value: String(body.count))
            headers.add(name: "Connection", value: "close")
            channel.write(
                HTTPServerResponsePart.head(HTTPResponseHead(version: head.version, status: status, headers: headers)),
                promise: nil)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
