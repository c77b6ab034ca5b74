import CardNetworkLink
import CardVault
import Foundation

/// Everything `keyin serve` needs, read once at start-up from the settings `GatewaySetting.all` lists.
package struct ServerConfiguration: Sendable {
    package enum Storage: Sendable, Equatable {
        case sqliteFile(path: String)
        case sqliteInMemory
        /// `connectionsPerEventLoop`: the pool of each event loop (one per core). A payment's transactions hold a
        /// connection across several round trips, so one per loop (Fluent's default) leaves a node two at a time.
        case postgres(url: String, connectionsPerEventLoop: Int = defaultPostgresConnections)

        /// PostgreSQL connections per event loop unless `KEYIN_DATABASE_CONNECTIONS` says otherwise.
        package static let defaultPostgresConnections = 8

        package var isSQLite: Bool {
            switch self {
            case .sqliteFile, .sqliteInMemory: true
            case .postgres: false
            }
        }
    }

    /// Where the master key comes from.
    package enum MasterKeySource: Sendable {
        case given(MasterKey)
        /// The embedded default: `master.key` in the data directory, made on the first start
        /// (`prepareEmbeddedStart`).
        case dataDirectoryFile(URL)
    }

    package var storage: Storage
    /// Card-company hosts; nil runs the built-in simulator on a loopback port (the embedded defaults).
    package var issuerHosts: [String: LinkConfiguration.HostAddress]?
    /// The live card companies' 3-D Secure server and the key shared with it; nil authenticates no live payment.
    package var accessControl: (url: String, signingKey: String)?
    package var masterKey: MasterKeySource
    /// Keys being rotated out: they still open card records until `keyin keys rotate` re-wraps them.
    package var previousMasterKeys: [MasterKey] = []
    package var hostname: String
    package var port: Int
    package var dataDirectory: URL
    package var linkResponseTimeout: Duration
    /// How old an IN_PROGRESS payment must be before start-up treats it as left by a crash. Long enough that
    /// another process on the same database has finished with it.
    package var recoverAfterSeconds: Double
    /// How long a payment's encrypted card number is kept for refunds (captures, partial cancels) before it is
    /// destroyed. A fully cancelled or aborted payment's number is destroyed at once.
    package var cardRetentionDays: Int = 365
    /// The address customers use to reach this gateway, for payment links and receipts in messages.
    package var publicBaseURL: String
    /// Whether webhooks may go to internal addresses (localhost, 10.x, 192.168.x…): yes on the embedded SQLite
    /// defaults (local development), no with a database URL (production), unless set.
    package var allowInternalWebhookTargets: Bool
    /// The ports a webhook URL may name (its scheme's default when it names none); nil allows any.
    package var webhookPorts: Set<Int>? = WebhookTargetPolicy.standardPorts
    /// The proxies whose `X-Forwarded-For` is believed (`KEYIN_TRUSTED_PROXIES`).
    package var trustedProxies = TrustedProxies(addresses: [])

    package init(
        storage: Storage, issuerHosts: [String: LinkConfiguration.HostAddress]?, masterKey: MasterKeySource,
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
        // Refused everywhere unless a deployment says otherwise: a webhook URL is the merchant's to choose, and the
        // embedded defaults are just as reachable from the open internet.
        self.allowInternalWebhookTargets = false
    }

    /// Whether this is the embedded default: no card-company hosts named, so the built-in simulator stands in for
    /// them and a demo merchant may be made.
    package var isEmbedded: Bool { issuerHosts == nil }

    /// Reads every setting (`GatewaySetting.all`) from the command line (`arguments`, after the subcommand), the
    /// environment and the settings file `--config` names, in that order of precedence. Writes nothing: the data
    /// directory and the master key file are made by `prepareEmbeddedStart`. A missing or bad setting stops
    /// start-up with a message that names the setting and never shows its value (a database URL carries a password).
    package static func load(
        arguments: [String] = [], environment: [String: String]
    ) throws(ConfigurationError) -> ServerConfiguration {
        try load(SettingValues(arguments: arguments, environment: environment))
    }

    package static func load(_ settings: SettingValues) throws(ConfigurationError) -> ServerConfiguration {
        let dataDirectory = try settings.text(.dataDirectory) ?? "./keyin-data"
        let directory = URL(fileURLWithPath: dataDirectory, isDirectory: true)
        let hostname = try settings.text(.hostname) ?? "127.0.0.1"
        let port = try settings.parsed(.port, default: 8080, problem: "must be a port number from 0 to 65535") {
            Int($0).flatMap { (0...65535).contains($0) ? $0 : nil }
        }

        let storage: Storage
        if let url = try settings.text(.databaseURL) {
            guard let parsed = URL(string: url), ["postgres", "postgresql"].contains(parsed.scheme ?? ""),
                parsed.host != nil
            else {
                throw ConfigurationError(
                    setting: GatewaySetting.databaseURL.name,
                    problem: "is not a postgres://user:password@host/database URL")
            }
            let connections = try settings.parsed(
                .databaseConnections, default: Storage.defaultPostgresConnections,
                problem: "must be a number of connections from 1 to 64"
            ) { Int($0).flatMap { (1...64).contains($0) ? $0 : nil } }
            storage = .postgres(url: url, connectionsPerEventLoop: connections)
        } else {
            storage = .sqliteFile(path: directory.appendingPathComponent("keyin.sqlite").path)
        }

        var hosts: [String: LinkConfiguration.HostAddress]?
        if let text = try settings.text(.issuerHosts) {
            do {
                hosts = try LinkConfiguration.parseHosts(text)
            } catch {
                throw ConfigurationError(setting: GatewaySetting.issuerHosts.name, problem: error.description)
            }
        }

        let timeout = try settings.parsed(
            .linkTimeoutSeconds, default: Duration.seconds(10), problem: "must be a number of seconds from 0 to 120"
        ) { text in
            Double(text).flatMap { $0 > 0 && $0 <= 120 ? Duration.milliseconds(Int64($0 * 1000)) : nil }
        }
        let recoverAfter: Double? = try settings.parsed(
            .recoverAfterSeconds, default: nil, problem: "must be a number of seconds, 0 or more"
        ) { Double($0).flatMap { $0 >= 0 ? $0 : nil } }
        let retentionDays = try settings.parsed(
            .cardRetentionDays, default: 365, problem: "must be a number of days from 1 to 1825"
        ) { Int($0).flatMap { (1...1825).contains($0) ? $0 : nil } }

        var configuration = ServerConfiguration(
            storage: storage, issuerHosts: hosts, masterKey: try masterKeySource(settings, directory: directory),
            hostname: hostname, port: port, dataDirectory: directory, linkResponseTimeout: timeout,
            recoverAfterSeconds: recoverAfter)
        configuration.cardRetentionDays = retentionDays
        let acsKey = try settings.text(.acsSigningKey)
        if let text = try settings.text(.acsURL) {
            guard Self.isWebAddress(text) else {
                throw ConfigurationError(
                    setting: GatewaySetting.acsURL.name, problem: "is not an http(s)://host[:port][/path] address")
            }
            guard let acsKey, acsKey.count >= 16 else {
                throw ConfigurationError(
                    setting: GatewaySetting.acsSigningKey.name,
                    problem: "must be given with acsURL, 16 characters or more")
            }
            configuration.accessControl = (text, acsKey)
        } else if acsKey != nil {
            throw ConfigurationError(setting: GatewaySetting.acsSigningKey.name, problem: "needs acsURL")
        }
        if let text = try settings.text(.publicURL) {
            guard Self.isWebAddress(text) else {
                throw ConfigurationError(
                    setting: GatewaySetting.publicURL.name, problem: "is not an http(s)://host[:port] address")
            }
            configuration.publicBaseURL = text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        if let text = try settings.text(.webhookInternalTargets) {
            guard ["allow", "deny"].contains(text) else {
                throw ConfigurationError(
                    setting: GatewaySetting.webhookInternalTargets.name, problem: "must be allow or deny")
            }
            configuration.allowInternalWebhookTargets = text == "allow"
        }
        if let text = try settings.text(.webhookPorts) {
            if text == "any" {
                configuration.webhookPorts = nil
            } else {
                let ports = text.split(separator: ",", omittingEmptySubsequences: false).map {
                    Int($0.trimmingCharacters(in: .whitespaces))
                }
                guard !ports.isEmpty, ports.allSatisfy({ $0.map { (1...65535).contains($0) } == true }) else {
                    throw ConfigurationError(
                        setting: GatewaySetting.webhookPorts.name,
                        problem: "must be port numbers (1 to 65535) separated by commas, or any")
                }
                configuration.webhookPorts = Set(ports.compactMap { $0 })
            }
        }
        let proxies = try settings.list(.trustedProxies) ?? []
        for proxy in proxies where TrustedProxies.address(proxy) == nil {
            throw ConfigurationError(
                setting: GatewaySetting.trustedProxies.name, problem: "\(proxy) is not an IPv4 or IPv6 address")
        }
        configuration.trustedProxies = TrustedProxies(addresses: Set(proxies.compactMap(TrustedProxies.address)))
        for (index, item) in (try settings.list(.previousMasterKeys) ?? []).enumerated() {
            guard let key = try? MasterKey(base64: item) else {
                throw ConfigurationError(
                    setting: GatewaySetting.previousMasterKeys.name,
                    problem: "entry \(index + 1) is not a base64-encoded 32-byte key")
            }
            configuration.previousMasterKeys.append(key)
        }
        return configuration
    }

    /// An http(s) address with a host and no query: where customers reach the gateway, or where an ACS listens.
    static func isWebAddress(_ text: String) -> Bool {
        guard let url = URL(string: text) else { return false }
        return ["http", "https"].contains(url.scheme ?? "") && url.host != nil && url.query == nil
    }

    /// The master key as given, read from the file named, or (embedded default) the data directory's file, made on
    /// the first start. Only reads.
    package static func masterKeySource(_ settings: SettingValues, directory: URL) throws(ConfigurationError)
        -> MasterKeySource
    {
        if let text = try settings.text(.masterKey) {
            do {
                return .given(try MasterKey(base64: text))
            } catch {
                throw ConfigurationError(
                    setting: GatewaySetting.masterKey.name, problem: "is not a base64-encoded 32-byte key")
            }
        }
        guard let path = try settings.text(.masterKeyFile) else {
            return .dataDirectoryFile(directory.appendingPathComponent("master.key"))
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError(
                setting: GatewaySetting.masterKeyFile.name, problem: "names a file that does not exist")
        }
        return .given(try readKey(URL(fileURLWithPath: path), setting: GatewaySetting.masterKeyFile.name))
    }

    private static func readKey(_ file: URL, setting: String) throws(ConfigurationError) -> MasterKey {
        guard let text = try? String(contentsOf: file, encoding: .utf8), let key = try? MasterKey(base64: text) else {
            throw ConfigurationError(setting: setting, problem: "does not hold a base64-encoded 32-byte key")
        }
        return key
    }

    /// The explicit step of the embedded start: makes the data directory (for the SQLite file and the key file)
    /// and, on the first start, the master key file (readable by its owner only). Returns the master key.
    package func prepareEmbeddedStart() throws(ConfigurationError) -> MasterKey {
        let needsDirectory: Bool
        switch (storage, masterKey) {
        case (.sqliteFile, _), (_, .dataDirectoryFile): needsDirectory = true
        default: needsDirectory = false
        }
        if needsDirectory {
            do {
                try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
            } catch {
                throw ConfigurationError(
                    setting: GatewaySetting.dataDirectory.name, problem: "cannot create \(dataDirectory.path)")
            }
        }
        switch masterKey {
        case .given(let key):
            return key
        case .dataDirectoryFile(let file):
            if FileManager.default.fileExists(atPath: file.path) {
                return try Self.readKey(file, setting: "master key file \(file.path)")
            }
            let (key, base64) = MasterKey.generate()
            let created = FileManager.default.createFile(
                atPath: file.path, contents: Data(base64.utf8), attributes: [.posixPermissions: 0o600])
            guard created else {
                throw ConfigurationError(
                    setting: GatewaySetting.dataDirectory.name, problem: "cannot write \(file.path)")
            }
            return key
        }
    }
}

/// A setting that stops start-up. Its description names the setting and the problem, never the value.
package struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    package let setting: String
    package let problem: String

    package var description: String { "\(setting) \(problem)" }
}
