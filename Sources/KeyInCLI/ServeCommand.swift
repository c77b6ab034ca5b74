import ArgumentParser
import CardNetworkLink
import CardVault
import Foundation
import IssuerSimulator
import KeyInServer
import Logging

/// `keyin serve`: the gateway. With no configuration it runs on embedded defaults: a SQLite file in the data
/// directory, the card-company simulator in-process on a loopback port, and a demo merchant.
public struct ServeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the KeyIn gateway (merchant API on HTTP).",
        discussion: """
            Environment: DATABASE_URL (postgres://…; default: SQLite in --data-dir), KEYIN_ISSUER_HOSTS \
            (e.g. default=127.0.0.1:8583,41=127.0.0.1:8584; default: the built-in simulator), KEYIN_MASTER_KEY or \
            KEYIN_MASTER_KEY_FILE (default: a key file created in --data-dir), KEYIN_PREVIOUS_MASTER_KEYS, \
            KEYIN_LINK_TIMEOUT_SECONDS, KEYIN_RECOVER_AFTER_SECONDS, KEYIN_CARD_RETENTION_DAYS (default 365).
            """
    )

    @Option(help: "Where the SQLite file and the generated master key live.")
    var dataDir = "./keyin-data"

    @Option(help: "Address to listen on.")
    var hostname = "127.0.0.1"

    @Option(help: "HTTP port.")
    var port = 8080

    public init() {}

    public func run() async throws {
        let configuration = try loadServerConfiguration(dataDir: dataDir, hostname: hostname, port: port)
        let gateway = try await GatewayRuntime.start(configuration)
        try await gateway.startHTTP()
        var banner = "KeyIn 실행 중 · listening on http://\(configuration.hostname):\(configuration.port)\n"
        if let key = gateway.demoSecretKey {
            banner += """
                데모 상점을 만들었습니다 · demo merchant created. Its test secret key (shown once, keep it):
                  \(key)
                예 · try: curl -u \(key): http://\(configuration.hostname):\(configuration.port)/v1/payments/orders/order-0001

                """
        }
        if let login = gateway.demoConsoleLogin {
            banner += """
                콘솔 · console: http://\(configuration.hostname):\(configuration.port)/console  \(login.email) / \(login.password)

                """
        }
        FileHandle.standardOutput.write(Data(banner.utf8))
        await waitForTermination()
        await gateway.shutdown()
    }
}

func loadServerConfiguration(dataDir: String, hostname: String, port: Int) throws -> ServerConfiguration {
    do {
        return try ServerConfiguration.load(
            environment: ProcessInfo.processInfo.environment, dataDirectory: dataDir, hostname: hostname, port: port)
    } catch {
        throw ValidationError("설정 오류 · configuration error: \(error)")
    }
}
