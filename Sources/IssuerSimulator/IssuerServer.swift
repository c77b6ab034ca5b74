import Foundation
import ISO8583
import ISO8583Transport
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The simulator on the network: accepts card-network connections and answers each message as the
/// `IssuerEngine` decides, with the configured faults applied on the way.
public final class IssuerServer: Sendable {
    public let engine: IssuerEngine
    private let group: any EventLoopGroup
    private let logger: Logger
    private let channel = Mutex<(any Channel)?>(nil)
    /// Open connections, closed by `stop()` as a host going down would.
    private let children = OpenConnections()

    public init(
        engine: IssuerEngine, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "keyin.issuer")
    ) {
        self.engine = engine
        self.group = group
        var logger = logger
        logger[metadataKey: "component"] = "issuer"
        self.logger = logger
    }

    /// Starts listening and returns the port (useful with port 0, which picks a free one).
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int) async throws -> Int {
        let engine = self.engine
        let logger = self.logger
        let faults = engine.configuration.faults
        let dice = FaultDice(seed: faults.seed ?? UInt64.random(in: 0...UInt64.max))
        if faults.dropRate > 0 || faults.disconnectRate > 0 || faults.maximumLatencyMilliseconds > 0 {
            logger.notice("injecting faults", metadata: ["seed": "\(dice.seed)"])
        }
        let children = self.children
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                children.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addISO8583Codec()
                    try channel.pipeline.syncOperations.addHandler(
                        IssuerHandler(engine: engine, faults: faults, dice: dice, logger: logger))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        self.channel.withLock { $0 = channel }
        let bound = channel.localAddress?.port ?? port
        logger.info("card-company simulator listening", metadata: ["port": "\(bound)"])
        return bound
    }

    /// Stops listening and closes every connection.
    public func stop() async throws {
        let channel = self.channel.withLock { channel in
            defer { channel = nil }
            return channel
        }
        try await channel?.close()
        for child in children.all() {
            try? await child.close()
        }
    }
}

/// Answers the messages of one connection.
private final class IssuerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = Result<ISO8583Message, ISO8583Error>
    typealias OutboundOut = ISO8583Message

    private let engine: IssuerEngine
    private let faults: IssuerConfiguration.Faults
    private let dice: FaultDice
    private let logger: Logger

    init(engine: IssuerEngine, faults: IssuerConfiguration.Faults, dice: FaultDice, logger: Logger) {
        self.dice = dice
        self.engine = engine
        self.faults = faults
        self.logger = logger
    }

    /// Children accepted by the server: their own connection closes only them.
    func channelActive(context: ChannelHandlerContext) {
        logger.debug("gateway connected")
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message: ISO8583Message
        switch unwrapInboundIn(data) {
        case .success(let decoded):
            message = decoded
        case .failure(let error):
            // Without a readable STAN there is nobody to answer.
            logger.warning("unreadable message ignored", metadata: ["error": "\(error)"])
            return
        }
        if faults.disconnectRate > 0 && dice.chance() < faults.disconnectRate {
            context.close(promise: nil)
            return
        }
        if faults.dropRate > 0 && dice.chance() < faults.dropRate { return }
        let latency =
            faults.maximumLatencyMilliseconds > 0
            ? dice.pick(in: faults.minimumLatencyMilliseconds...faults.maximumLatencyMilliseconds) : 0
        let channel = context.channel
        let engine = self.engine
        Task {
            let reply = await engine.handle(message)
            switch reply {
            case .respond(let responses):
                for response in responses { Self.send(response, on: channel, after: latency) }
            case .hold(let key, let delay):
                channel.eventLoop.scheduleTask(in: .milliseconds(Int64(latency + delay))) {
                    Task {
                        if let late = await engine.releaseHeldAnswer(key) { Self.send(late, on: channel, after: 0) }
                    }
                }
            case .noAnswer:
                break
            case .dropConnection:
                channel.close(promise: nil)
            }
        }
    }

    private static func send(_ response: ISO8583Message, on channel: any Channel, after milliseconds: Int) {
        if milliseconds <= 0 {
            channel.writeAndFlush(response, promise: nil)
        } else {
            channel.eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds))) {
                channel.writeAndFlush(response, promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.warning("connection closed after a framing error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}

/// The connections a server has accepted and not yet seen close.
final class OpenConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in _ = channels.withLock { $0.removeValue(forKey: id) } }
    }

    func all() -> [any Channel] { channels.withLock { Array($0.values) } }
}

/// The fault injection's dice: a seeded generator (SplitMix64) shared by every connection, so a seed replays the
/// same sequence of decisions.
package final class FaultDice: Sendable {
    package let seed: UInt64
    private let state: Mutex<UInt64>

    package init(seed: UInt64) {
        self.seed = seed
        self.state = Mutex(seed)
    }

    private func next() -> UInt64 {
        state.withLock { state in
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
    }

    /// A number from 0 (included) to 1 (excluded).
    package func chance() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }

    package func pick(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}
