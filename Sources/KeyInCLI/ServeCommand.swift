import ArgumentParser
import CardNetworkLink
import CardholderAuthentication
import Foundation
import IssuerSimulator
import KeyInApp
import KeyInGateway
import Logging
import ServiceLifecycle

/// `keyin serve`: the gateway. With no configuration it runs on embedded defaults: a SQLite file in the data
/// directory, the card-company simulator in-process on a loopback port, and a test-only demo merchant. The
/// simulator runs in every deployment: it is test mode's card company.
package struct ServeCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the KeyIn gateway (merchant API, pages and console on HTTP).",
        discussion: """
            Every setting is a flag, an environment variable or a key of the --config file (JSON), in that order \
            of precedence:

            \(GatewaySetting.helpText)

            Logging: KEYIN_LOG_LEVEL (trace, debug, info, notice, warning, error, critical; default info), from the \
            environment only.
            """
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var settings: [String] = []

    package init() {}

    package func run() async throws {
        let configuration = try loadServerConfiguration(arguments: settings)
        // Test mode's card company, in every deployment: the simulator in this process, on a loopback port. Test
        // keys' payments go only here; live keys' only to the configured hosts.
        let server = IssuerServer(engine: IssuerEngine(), logger: Logger(label: "keyin.issuer"))
        let embeddedIssuer = LinkConfiguration.HostAddress(
            host: "127.0.0.1", port: try await server.start(host: "127.0.0.1", port: 0))
        let simulator = ListeningService { try await server.stop() }
        // Its 3-D Secure server, in this process too; its pages are served on the gateway's own address.
        let pages = AccessControlHTTP(
            server: AccessControlServer(publicBaseURL: configuration.publicBaseURL),
            signingKey: AccessControlServer.defaultSigningKey
        ).transport
        let gateway: GatewayRuntime
        do {
            gateway = try await GatewayRuntime.start(
                configuration, embeddedIssuer: embeddedIssuer,
                embeddedAccessControl: (
                    AuthenticationClient(sharedKey: AccessControlServer.defaultSigningKey, transport: pages), pages
                ))
        } catch {
            try? await simulator.stop()
            throw error
        }
        try await gateway.serve(leading: [simulator]) { port in
            // The port bound, which `--port 0` leaves to the system: the banner names the address that answers.
            FileHandle.standardOutput.write(Data(Self.banner(gateway, configuration: configuration, port: port).utf8))
        }
    }

    static func banner(_ gateway: GatewayRuntime, configuration: ServerConfiguration, port: Int) -> String {
        let address = "http://\(configuration.hostname):\(port)"
        var banner = "KeyIn 실행 중 · listening on \(address)\n"
        banner +=
            gateway.links.isLive
            ? "라이브 키는 설정된 카드사로, 테스트 키는 내장 시뮬레이터로 결제합니다 · live keys pay through the configured card companies, test keys through the built-in simulator\n"
            : "테스트 모드 전용: 카드사 연결(KEYIN_ISSUER_HOSTS)이 없어 테스트 키만 결제합니다 · test mode only: no card-company hosts configured\n"
        if let key = gateway.demoSecretKey {
            banner += """
                데모 상점을 만들었습니다 · demo merchant created. Its test secret key (shown once, keep it):
                  \(key)
                예 · try: curl -u \(key): \(address)/v1/payments/orders/order-0001

                """
        }
        if let login = gateway.demoConsoleLogin {
            banner += """
                콘솔 · console: \(address)/console  \(login.email) / \(login.password)

                """
        }
        return banner
    }
}

/// A server already listening (the card-company simulator, its ledger), as a service: it runs until the graceful
/// shutdown and then stops. Given first to a service group, it stops last.
struct ListeningService: Service {
    let stop: @Sendable () async throws -> Void

    func run() async throws {
        try? await gracefulShutdown()
        try await stop()
    }
}

/// The settings from the command line (after the subcommand) and the environment, or a usage error that names
/// the setting at fault.
func loadServerConfiguration(arguments: [String]) throws -> ServerConfiguration {
    do {
        return try ServerConfiguration.load(arguments: arguments, environment: ProcessInfo.processInfo.environment)
    } catch {
        throw ValidationError("설정 오류 · configuration error: \(error)")
    }
}
