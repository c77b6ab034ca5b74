import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP endpoint beside the simulator: `GET /ledger` returns every ledger entry and the totals as JSON,
/// for `keyin issuer ledger` and for reconciliation scripts.
public final class IssuerAdminServer: Sendable {
    private let engine: IssuerEngine
    private let group: any EventLoopGroup
    private let channel = Mutex<(any Channel)?>(nil)

    public init(engine: IssuerEngine, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.engine = engine
        self.group = group
    }

    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int) async throws -> Int {
        let engine = self.engine
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(AdminHandler(engine: engine))
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

private final class AdminHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let engine: IssuerEngine

    init(engine: IssuerEngine) {
        self.engine = engine
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let channel = context.channel
        let engine = self.engine
        Task {
            let (status, body): (HTTPResponseStatus, Data)
            switch (head.method, head.uri) {
            case (.GET, "/ledger"):
                (status, body) = (.ok, LedgerDocument(entries: await engine.entries()).json())
            case (.GET, "/health"):
                (status, body) = (.ok, Data(#"{"status":"ok"}"#.utf8))
            default:
                (status, body) = (.notFound, Data(#"{"error":"not found: GET /ledger or /health"}"#.utf8))
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
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
