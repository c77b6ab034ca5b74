import ArgumentParser
import Foundation
import ISO8583
import IssuerSimulator
import KeyInCore
import Logging
import ServiceLifecycle

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `keyin issuer`: the card-company host simulator.
package struct IssuerCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "issuer",
        abstract: "The card-company host simulator: several card companies speaking KeyIn's ISO 8583 format.",
        subcommands: [IssuerServeCommand.self, IssuerLedgerCommand.self, IssuerAuthenticationValueCommand.self],
        defaultSubcommand: IssuerServeCommand.self
    )

    package init() {}
}

/// `keyin issuer [serve] --port N [--config FILE]`
package struct IssuerServeCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the simulator until interrupted.",
        discussion: """
            Listens for ISO 8583 connections on --port and serves the ledger as JSON on --admin-port \
            (GET /ledger). --config names a JSON file; keys it leaves out keep the built-in defaults (the test \
            cards, a daily 23:50-00:10 maintenance window for 하나카드, no faults). See README.md.
            """
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "ISO 8583 port.")
    var port = 8583

    @Option(help: "HTTP port for GET /ledger and the 3-D Secure access control server (/3ds/...).")
    var adminPort = 8584

    @Option(
        help:
            "The address cardholders' browsers reach the 3-D Secure challenge pages at (default: http://host:admin-port)."
    )
    var acsPublicUrl: String?

    @Option(
        help:
            "The key the 3-D Secure messages to and from the gateway are signed with (the gateway's KEYIN_ACS_SIGNING_KEY)."
    )
    var acsSigningKey = AccessControlServer.defaultSigningKey

    @Option(help: "JSON configuration file (accounts, maintenance windows, faults).")
    var config: String?

    package init() {}

    package func run() async throws {
        let configuration = try loadConfiguration()
        let engine = IssuerEngine(configuration: configuration)
        let server = IssuerServer(engine: engine)
        let acs = AccessControlServer(
            configuration: configuration, publicBaseURL: acsPublicUrl ?? "http://\(host):\(adminPort)")
        let admin = IssuerAdminServer(engine: engine, acs: AccessControlHTTP(server: acs, signingKey: acsSigningKey))
        let boundPort = try await server.start(host: host, port: port)
        let boundAdmin = try await admin.start(host: host, port: adminPort)
        // Written unbuffered (print would hold it back in a pipe), so a supervisor or a test reading the output
        // sees the ports as soon as they are bound.
        let banner = """
            카드사 시뮬레이터 실행 중 · card-company simulator listening on \(host):\(boundPort)
            원장 · ledger: curl http://\(host):\(boundAdmin)/ledger  (or: keyin issuer ledger --admin-port \(boundAdmin))
            3-D Secure ACS: http://\(host):\(boundAdmin)/3ds/v1/authentications · 보낸 인증번호 · sent codes: http://\(host):\(boundAdmin)/3ds/sent-codes

            """
        FileHandle.standardOutput.write(Data(banner.utf8))
        // Until SIGTERM or SIGINT; then the ISO 8583 port closes first, the ledger after.
        try await ServiceGroup(
            services: [ListeningService { try await admin.stop() }, ListeningService { try await server.stop() }],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "keyin.issuer")
        ).run()
    }

    func loadConfiguration() throws -> IssuerConfiguration {
        try Self.loadConfiguration(config)
    }

    /// The built-in configuration, or the one `path` names with its left-out keys kept, checked.
    static func loadConfiguration(_ config: String?) throws -> IssuerConfiguration {
        guard let config else { return .default }
        let configuration: IssuerConfiguration
        do {
            configuration = try IssuerConfiguration.load(json: Data(contentsOf: URL(fileURLWithPath: config)))
        } catch {
            throw ValidationError("Cannot read the simulator configuration \(config): \(error)")
        }
        do {
            try configuration.validate()
        } catch {
            throw ValidationError("\(config): \(error)")
        }
        return configuration
    }
}

/// `keyin issuer ledger`: prints a running simulator's ledger.
package struct IssuerLedgerCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Print the ledger of a running simulator as JSON (entries and totals)."
    )

    @Option(help: "The simulator's admin address.")
    var host = "127.0.0.1"

    @Option(help: "The simulator's admin port.")
    var adminPort = 8584

    package init() {}

    package func run() async throws {
        guard let url = URL(string: "http://\(host):\(adminPort)/ledger") else {
            throw ValidationError("\(host):\(adminPort) is not an address.")
        }
        do {
            let (data, _) = try await URLSession.shared.data(from: url)
            print(String(decoding: data, as: UTF8.self))
        } catch {
            throw ValidationError("No simulator answers at \(url): start one with `keyin issuer`.")
        }
    }
}

/// `keyin issuer authentication-value --card N --amount A [--eci 05] [--xid X]`: the 3-D Secure authentication value (CAVV) the
/// simulated card companies issue for a card, so a demo or an integration test can send a `vbv` the simulator
/// accepts, as a merchant sends the result a 3-D Secure provider gave it.
package struct IssuerAuthenticationValueCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "authentication-value",
        abstract: "Print the 3-D Secure authentication value (vbv.cavv) the simulator accepts for a card.",
        discussion: """
            The value depends on the card number, the ECI, the transaction id (vbv.xid) and the amount it \
            authenticates, and on the simulator's authenticationKey (--config); any other value, or this one \
            with another amount, is declined with response code Q2 (CARDHOLDER_AUTHENTICATION_REJECTED).
            """
    )

    @Option(help: "The card number.")
    var card: String

    @Option(help: "The electronic commerce indicator, 2 digits.")
    var eci = "05"

    @Option(help: "The payment's amount, in won: the value authorizes this amount only.")
    var amount: Int64

    @Option(help: "The 3-D Secure transaction id (vbv.xid), if the payment sends one.")
    var xid: String?

    @Option(help: "The simulator's JSON configuration file, if it sets its own authenticationKey.")
    var config: String?

    package init() {}

    package func validate() throws {
        guard let number = CardNumber(typed: card), Luhn.isValid(number.digits) else {
            throw ValidationError("--card must be a card number that passes the Luhn check.")
        }
        guard eci.count == 2, eci.allSatisfy(\.isASCII), eci.allSatisfy(\.isNumber) else {
            throw ValidationError("--eci must be 2 digits.")
        }
        guard amount > 0 else { throw ValidationError("--amount must be a positive number of won.") }
    }

    package func run() async throws {
        try execute(io: .standard)
    }

    package func execute(io: CommandIO) throws {
        let configuration = try IssuerServeCommand.loadConfiguration(config)
        let digits = CardNumber(typed: card)?.digits ?? card
        io.write(
            configuration.authenticationValue(
                cardNumber: digits, transactionID: xid, eci: eci, amount: amount, currencyCode: Currency.krw.numericCode
            ))
    }
}
