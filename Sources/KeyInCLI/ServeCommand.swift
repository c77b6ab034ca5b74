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
            KEYIN_MASTER_KEY_FILE (default: a key file created in --data-dir), KEYIN_LINK_TIMEOUT_SECONDS.
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
        FileHandle.standardOutput.write(Data(banner.utf8))
        await waitForTermination()
        await gateway.shutdown()
    }
}

/// `keyin merchant create --name NAME [--json]`
public struct MerchantCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "merchant", abstract: "Manage merchants.", subcommands: [MerchantCreateCommand.self])

    public init() {}
}

public struct MerchantCreateCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a merchant and print its id and secret key (shown once).")

    @Option(help: "The merchant's name.")
    var name: String

    @Flag(help: "Issue a live key (live_sk_…) instead of a test key.")
    var live = false

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: "Data directory (for the embedded SQLite database).")
    var dataDir = "./keyin-data"

    public init() {}

    public func validate() throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 100 else {
            throw ValidationError("--name must be 1 to 100 characters.")
        }
    }

    public func run() async throws {
        let configuration = try loadServerConfiguration(dataDir: dataDir, hostname: "127.0.0.1", port: 0)
        let gateway = try await GatewayRuntime.start(configuration, createDemoMerchant: false)
        let created = try await gateway.services.createMerchant(name: name, live: live)
        await gateway.shutdown()
        if json {
            let object = ["merchantId": created.id.uuidString, "name": name, "secretKey": created.secretKey]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("가맹점 · merchant \(name): \(created.id.uuidString)")
            print("시크릿 키 · secret key (shown once): \(created.secretKey)")
        }
    }
}

/// `keyin migrate`: applies the database migrations (`keyin serve` also does on start).
public struct MigrateCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply the database migrations to DATABASE_URL (or the embedded SQLite file)."
    )

    @Option(help: "Data directory (for the embedded SQLite database).")
    var dataDir = "./keyin-data"

    public init() {}

    public func run() async throws {
        let configuration = try loadServerConfiguration(dataDir: dataDir, hostname: "127.0.0.1", port: 0)
        let gateway = try await GatewayRuntime.start(configuration, createDemoMerchant: false)
        await gateway.shutdown()
        print("마이그레이션 완료 · migrations applied")
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

/// `keyin keys rotate`: after setting a new KEYIN_MASTER_KEY and putting the old one in KEYIN_PREVIOUS_MASTER_KEYS,
/// re-wraps every stored card's data key with the new key, so the old one can be retired.
public struct KeysCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage the master key.", subcommands: [KeysRotateCommand.self])

    public init() {}
}

public struct KeysRotateCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Re-wrap every card record with the current master key (KEYIN_MASTER_KEY).",
        discussion: "Keys being retired go in KEYIN_PREVIOUS_MASTER_KEYS (comma-separated base64) while this runs.")

    @Option(help: "Data directory (for the embedded SQLite database).")
    var dataDir = "./keyin-data"

    public init() {}

    public func run() async throws {
        let configuration = try loadServerConfiguration(dataDir: dataDir, hostname: "127.0.0.1", port: 0)
        let gateway = try await GatewayRuntime.start(configuration, createDemoMerchant: false)
        do {
            let changed = try await gateway.services.rewrapCardRecords()
            await gateway.shutdown()
            print("카드 정보 \(changed)건을 새 마스터 키로 다시 감쌌습니다 · re-wrapped \(changed) card records")
        } catch {
            await gateway.shutdown()
            throw ValidationError("키 교체 실패 · rotation failed: \(error)")
        }
    }
}
