import CardNetworkLink
import CardVault
import Foundation

/// Everything `keyin serve` needs, read once at start-up. A missing or bad setting stops start-up with a
/// message that names the setting and never shows its value (a database URL carries a password).
public struct ServerConfiguration: Sendable {
    public enum Storage: Sendable, Equatable {
        case sqliteFile(path: String)
        case sqliteInMemory
        case postgres(url: String)

        var isSQLite: Bool {
            switch self {
            case .sqliteFile, .sqliteInMemory: true
            case .postgres: false
            }
        }
    }

    public var storage: Storage
    /// Card-company hosts; nil runs the built-in simulator in-process on a loopback port.
    public var issuerHosts: [String: LinkConfiguration.HostAddress]?
    public var masterKey: MasterKey
    /// Keys being rotated out: they still open card records until `keyin keys rotate` re-wraps them.
    public var previousMasterKeys: [MasterKey] = []
    public var hostname: String
    public var port: Int
    public var dataDirectory: URL
    public var linkResponseTimeout: Duration
    /// How old an IN_PROGRESS payment must be before start-up treats it as left by a crash. Long enough that
    /// another process on the same database has finished with it.
    public var recoverAfterSeconds: Double
    /// How long a payment's encrypted card number is kept for refunds (captures, partial cancels) before it is
    /// destroyed. A fully cancelled or aborted payment's number is destroyed at once.
    public var cardRetentionDays: Int = 365
    /// The address customers use to reach this gateway, for payment links and receipts in messages
    /// (`KEYIN_PUBLIC_URL`; default the listening address).
    public var publicBaseURL: String
    /// Whether webhooks may go to internal addresses (localhost, 10.x, 192.168.x…): yes on the embedded SQLite
    /// defaults (local development), no with `DATABASE_URL` (production); `KEYIN_WEBHOOK_INTERNAL_TARGETS=allow`
    /// or `deny` decides otherwise.
    public var allowInternalWebhookTargets: Bool

    public init(
        storage: Storage, issuerHosts: [String: LinkConfiguration.HostAddress]?, masterKey: MasterKey,
        hostname: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL,
        linkResponseTimeout: Duration = .seconds(10), recoverAfterSeconds: Double? = nil
    ) {
        self.storage = storage
        self.issuerHosts = issuerHosts
        self.masterKey = masterKey
        self.hostname = hostname
        self.port = port
        self.dataDirectory = dataDirectory
        self.linkResponseTimeout = linkResponseTimeout
        self.recoverAfterSeconds = recoverAfterSeconds ?? Double(linkResponseTimeout.components.seconds) * 2 + 30
        self.publicBaseURL = "http://\(hostname):\(port)"
        self.allowInternalWebhookTargets = storage.isSQLite
    }

    /// Reads the environment: `DATABASE_URL` (postgres://…; otherwise a SQLite file in the data directory),
    /// `KEYIN_ISSUER_HOSTS`, `KEYIN_MASTER_KEY` or `KEYIN_MASTER_KEY_FILE` (otherwise a key file created in the
    /// data directory on first start), `KEYIN_PREVIOUS_MASTER_KEYS` (comma-separated, during a rotation),
    /// `KEYIN_LINK_TIMEOUT_SECONDS`, `KEYIN_RECOVER_AFTER_SECONDS`, `KEYIN_CARD_RETENTION_DAYS`, `KEYIN_PUBLIC_URL`,
    /// `KEYIN_WEBHOOK_INTERNAL_TARGETS` (`allow` or `deny`).
    public static func load(
        environment: [String: String], dataDirectory: String, hostname: String, port: Int
    ) throws(ConfigurationError) -> ServerConfiguration {
        let directory = URL(fileURLWithPath: dataDirectory, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError(setting: "--data-dir", problem: "cannot create \(dataDirectory)")
        }

        let storage: Storage
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            guard let parsed = URL(string: url), ["postgres", "postgresql"].contains(parsed.scheme ?? ""),
                parsed.host != nil
            else {
                throw ConfigurationError(
                    setting: "DATABASE_URL", problem: "is not a postgres://user:password@host/database URL")
            }
            storage = .postgres(url: url)
        } else {
            storage = .sqliteFile(path: directory.appendingPathComponent("keyin.sqlite").path)
        }

        var hosts: [String: LinkConfiguration.HostAddress]?
        if let text = environment["KEYIN_ISSUER_HOSTS"], !text.isEmpty {
            do {
                hosts = try LinkConfiguration.parseHosts(text)
            } catch {
                throw ConfigurationError(setting: "KEYIN_ISSUER_HOSTS", problem: error.description)
            }
        }

        var timeout = Duration.seconds(10)
        if let text = environment["KEYIN_LINK_TIMEOUT_SECONDS"] {
            guard let seconds = Double(text), seconds > 0, seconds <= 120 else {
                throw ConfigurationError(
                    setting: "KEYIN_LINK_TIMEOUT_SECONDS", problem: "must be a number of seconds from 0 to 120")
            }
            timeout = .milliseconds(Int64(seconds * 1000))
        }

        var recoverAfter: Double?
        if let text = environment["KEYIN_RECOVER_AFTER_SECONDS"] {
            guard let seconds = Double(text), seconds >= 0 else {
                throw ConfigurationError(
                    setting: "KEYIN_RECOVER_AFTER_SECONDS", problem: "must be a number of seconds, 0 or more")
            }
            recoverAfter = seconds
        }

        var retentionDays = 365
        if let text = environment["KEYIN_CARD_RETENTION_DAYS"] {
            guard let days = Int(text), (1...1825).contains(days) else {
                throw ConfigurationError(
                    setting: "KEYIN_CARD_RETENTION_DAYS", problem: "must be a number of days from 1 to 1825")
            }
            retentionDays = days
        }

        var configuration = ServerConfiguration(
            storage: storage, issuerHosts: hosts, masterKey: try loadMasterKey(environment, directory: directory),
            hostname: hostname, port: port, dataDirectory: directory, linkResponseTimeout: timeout,
            recoverAfterSeconds: recoverAfter)
        configuration.cardRetentionDays = retentionDays
        if let text = environment["KEYIN_PUBLIC_URL"], !text.isEmpty {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
                url.query == nil
            else {
                throw ConfigurationError(
                    setting: "KEYIN_PUBLIC_URL", problem: "is not an http(s)://host[:port] address")
            }
            configuration.publicBaseURL = text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        if let text = environment["KEYIN_WEBHOOK_INTERNAL_TARGETS"], !text.isEmpty {
            guard ["allow", "deny"].contains(text) else {
                throw ConfigurationError(setting: "KEYIN_WEBHOOK_INTERNAL_TARGETS", problem: "must be allow or deny")
            }
            configuration.allowInternalWebhookTargets = text == "allow"
        }
        if let text = environment["KEYIN_PREVIOUS_MASTER_KEYS"], !text.isEmpty {
            for (index, item) in text.split(separator: ",").enumerated() {
                guard let key = try? MasterKey(base64: String(item)) else {
                    throw ConfigurationError(
                        setting: "KEYIN_PREVIOUS_MASTER_KEYS",
                        problem: "entry \(index + 1) is not a base64-encoded 32-byte key")
                }
                configuration.previousMasterKeys.append(key)
            }
        }
        return configuration
    }

    static func loadMasterKey(_ environment: [String: String], directory: URL) throws(ConfigurationError) -> MasterKey {
        if let text = environment["KEYIN_MASTER_KEY"], !text.isEmpty {
            do {
                return try MasterKey(base64: text)
            } catch {
                throw ConfigurationError(setting: "KEYIN_MASTER_KEY", problem: "is not a base64-encoded 32-byte key")
            }
        }
        let explicitFile = environment["KEYIN_MASTER_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        let file = explicitFile.map { URL(fileURLWithPath: $0) } ?? directory.appendingPathComponent("master.key")
        if FileManager.default.fileExists(atPath: file.path) {
            guard let text = try? String(contentsOf: file, encoding: .utf8), let key = try? MasterKey(base64: text)
            else {
                throw ConfigurationError(
                    setting: explicitFile == nil ? "master key file \(file.path)" : "KEYIN_MASTER_KEY_FILE",
                    problem: "does not hold a base64-encoded 32-byte key")
            }
            return key
        }
        guard explicitFile == nil else {
            throw ConfigurationError(setting: "KEYIN_MASTER_KEY_FILE", problem: "names a file that does not exist")
        }
        // Embedded default: a key of its own, readable by the owner only.
        let (key, base64) = MasterKey.generate()
        let created = FileManager.default.createFile(
            atPath: file.path, contents: Data(base64.utf8), attributes: [.posixPermissions: 0o600])
        guard created else { throw ConfigurationError(setting: "--data-dir", problem: "cannot write \(file.path)") }
        return key
    }
}

/// A setting that stops start-up. Its description names the setting and the problem, never the value.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public let setting: String
    public let problem: String

    public var description: String { "\(setting) \(problem)" }
}
