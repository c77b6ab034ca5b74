import Foundation

/// One setting of `keyin serve`, and the one place it is described: `keyin serve --help`, the settings table in
/// docs/operations.md (`keyin settings --markdown`) and the start-up errors all come from this list. A setting is
/// read, in order of precedence, from its command-line flag, its environment variable, the optional settings file
/// (`--config FILE`, JSON), and its default.
package struct GatewaySetting: Sendable, Hashable {
    /// The key in the settings file, and the name the flag and the environment variable are made from.
    package let key: String
    /// What the value looks like, for the help text: `PORT`, `URL`, `SECONDS`.
    package let placeholder: String
    package let summary: String
    /// What applies when the setting is not given, in words.
    package let defaultDescription: String
    /// Never printed, logged or echoed in an error (database URLs carry passwords; keys are keys).
    package let isSecret: Bool
    /// Several values: comma-separated on the command line and in the environment, an array in the file.
    package let isList: Bool

    package init(
        _ key: String, _ placeholder: String, _ summary: String, default defaultDescription: String,
        secret: Bool = false, list: Bool = false
    ) {
        self.key = key
        self.placeholder = placeholder
        self.summary = summary
        self.defaultDescription = defaultDescription
        self.isSecret = secret
        self.isList = list
    }

    /// `--issuer-hosts` for `issuerHosts`: camel case to dashes, as swift-configuration's command-line provider
    /// names keys.
    package var flag: String { "--" + Self.words(of: key).joined(separator: "-") }

    /// `KEYIN_ISSUER_HOSTS` for `issuerHosts`; `DATABASE_URL` keeps the name every PostgreSQL host knows.
    package var environmentName: String {
        let name = Self.words(of: Self.environmentKeys[key] ?? key).joined(separator: "_").uppercased()
        return Self.unprefixed.contains(key) ? name : "KEYIN_" + name
    }

    /// Settings whose environment variable has no `KEYIN_` prefix.
    package static let unprefixed: Set<String> = ["databaseURL"]

    /// Settings whose environment variable is named apart from their key: Kubernetes gives every pod
    /// `KEYIN_PORT=tcp://…` when a service is called `keyin`, so the port is `KEYIN_HTTP_PORT`.
    package static let environmentKeys: [String: String] = ["port": "httpPort"]

    /// How a start-up error names the setting: both ways of giving it.
    package var name: String { "\(environmentName) (\(flag))" }

    private static func words(of key: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previous: Character?
        for character in key {
            if let previous, previous.isLowercase, character.isUppercase {
                words.append(current)
                current = ""
            }
            current.append(character)
            previous = character
        }
        words.append(current)
        return words.map { $0.lowercased() }
    }
}

extension GatewaySetting {
    package static let dataDirectory = GatewaySetting(
        "dataDir", "PATH", "Where the SQLite file and the generated master key live.", default: "./keyin-data")
    package static let hostname = GatewaySetting("hostname", "ADDRESS", "Address to listen on.", default: "127.0.0.1")
    package static let port = GatewaySetting("port", "PORT", "HTTP port (0 to 65535).", default: "8080")
    package static let databaseURL = GatewaySetting(
        "databaseURL", "URL", "PostgreSQL, as postgres://user:password@host/database.",
        default: "SQLite in the data directory", secret: true)
    package static let databaseConnections = GatewaySetting(
        "databaseConnections", "COUNT",
        "PostgreSQL connections per core (1 to 64): a node opens at most this many times its cores; keep the sum over all nodes under the server's max_connections.",
        default: "\(ServerConfiguration.Storage.defaultPostgresConnections)")
    package static let issuerHosts = GatewaySetting(
        "issuerHosts", "HOSTS",
        "Card-company hosts, company=host:port (`default` for the rest), e.g. default=issuer.example:8583,41=shinhan.example:8583.",
        default: "the built-in simulator, a demo merchant", list: true)
    package static let acsURL = GatewaySetting(
        "acsURL", "URL",
        "The card companies' 3-D Secure server (ACS) for live payments, http(s)://host[:port][/path]; docs/three-d-secure.md has the protocol.",
        default: "none: live payments are not 3-D Secure authenticated")
    package static let acsSigningKey = GatewaySetting(
        "acsSigningKey", "TEXT",
        "The key shared with that ACS, which signs every message both ways (16 characters or more).",
        default: "none (required with acsURL)", secret: true)
    package static let masterKey = GatewaySetting(
        "masterKey", "BASE64", "The 32-byte master key that wraps card data keys, base64.",
        default: "a key file in the data directory, made on the first start", secret: true)
    package static let masterKeyFile = GatewaySetting(
        "masterKeyFile", "PATH", "A file holding the master key, base64 (instead of the key itself).",
        default: "master.key in the data directory")
    package static let previousMasterKeys = GatewaySetting(
        "previousMasterKeys", "BASE64,…", "Keys being rotated out: they still open card records until re-wrapped.",
        default: "none", secret: true, list: true)
    package static let linkTimeoutSeconds = GatewaySetting(
        "linkTimeoutSeconds", "SECONDS", "How long the card company has to answer (more than 0, at most 120).",
        default: "10")
    package static let recoverAfterSeconds = GatewaySetting(
        "recoverAfterSeconds", "SECONDS",
        "How old an IN_PROGRESS payment must be before it counts as left by a crash (0 or more).",
        default: "twice the link timeout plus 30")
    package static let cardRetentionDays = GatewaySetting(
        "cardRetentionDays", "DAYS", "How long encrypted card numbers are kept for refunds (1 to 1825).",
        default: "365")
    package static let publicURL = GatewaySetting(
        "publicURL", "URL", "Where customers reach this gateway (payment links, receipts), http(s)://host[:port].",
        default: "the listening address")
    package static let webhookInternalTargets = GatewaySetting(
        "webhookInternalTargets", "allow|deny", "Whether webhooks may go to internal addresses.",
        default: "deny")
    package static let trustedProxies = GatewaySetting(
        "trustedProxies", "ADDRESS,…",
        "Proxies whose X-Forwarded-For names the client address (their own addresses, e.g. 10.0.0.2).",
        default: "none", list: true)
    package static let webhookPorts = GatewaySetting(
        "webhookPorts", "PORTS|any", "The ports webhook URLs may name, comma-separated, or any.",
        default: "443,80")
    package static let configFile = GatewaySetting(
        "config", "FILE", "A JSON file of settings, keyed as in this table's first column (lists as arrays).",
        default: "none")

    /// Every setting of `keyin serve`, in the order the help shows them.
    package static let all: [GatewaySetting] = [
        dataDirectory, hostname, port, databaseURL, databaseConnections, issuerHosts, acsURL, acsSigningKey, masterKey,
        masterKeyFile, previousMasterKeys,
        linkTimeoutSeconds, recoverAfterSeconds, cardRetentionDays, publicURL, webhookInternalTargets, webhookPorts,
        trustedProxies,
        configFile,
    ]

    /// The help text of `keyin serve`: one entry per setting with its flag, environment variable and default.
    package static var helpText: String {
        all.map { setting in
            """
            \(setting.flag) \(setting.placeholder)  (\(setting.environmentName))
                \(setting.summary) Default: \(setting.defaultDescription).
            """
        }.joined(separator: "\n")
    }

    /// The settings table of docs/operations.md.
    package static var markdownTable: String {
        var lines = [
            "| file key | flag | environment | what it holds | default |", "| --- | --- | --- | --- | --- |",
        ]
        for setting in all {
            let summary = setting.summary + (setting.isSecret ? " Secret: never printed." : "")
            lines.append(
                "| `\(setting.key)` | `\(setting.flag)` | `\(setting.environmentName)` | \(summary) | "
                    + "\(setting.defaultDescription) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
