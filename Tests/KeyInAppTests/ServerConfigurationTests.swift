import Foundation
import KeyInApp
import KeyInGateway
import Testing

@Suite("keyin serve's settings: flags over environment over the settings file over defaults")
struct ServerConfigurationTests {
    /// A data directory of its own, which reading the settings must not create.
    static func directory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("keyin-config-\(UUID())")
    }

    func load(_ environment: [String: String], arguments: [String] = []) throws -> ServerConfiguration {
        try ServerConfiguration.load(
            arguments: ["--data-dir", Self.directory().path] + arguments, environment: environment)
    }

    @Test("Webhook URLs may name ports 443 and 80 unless KEYIN_WEBHOOK_PORTS says otherwise")
    func webhookPorts() throws {
        #expect(try load([:]).webhookPorts == [443, 80])
        #expect(try load(["KEYIN_WEBHOOK_PORTS": "443, 8443"]).webhookPorts == [443, 8443])
        #expect(try load(["KEYIN_WEBHOOK_PORTS": "any"]).webhookPorts == nil)
        for bad in ["http", "0", "443,70000", "443,,80"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try load(["KEYIN_WEBHOOK_PORTS": bad]) }
        }
    }

    @Test("PostgreSQL gets 8 connections per core unless KEYIN_DATABASE_CONNECTIONS says otherwise, 1 to 64")
    func databaseConnections() throws {
        let database = ["DATABASE_URL": "postgres://keyin:secret@db.example/keyin"]
        #expect(try load(database).storage == .postgres(url: database["DATABASE_URL"]!, connectionsPerEventLoop: 8))
        #expect(
            try load(database.merging(["KEYIN_DATABASE_CONNECTIONS": "32"]) { $1 }).storage
                == .postgres(url: database["DATABASE_URL"]!, connectionsPerEventLoop: 32))
        for bad in ["0", "65", "many", "-1"] {
            #expect(throws: ConfigurationError.self, "\(bad)") {
                try load(database.merging(["KEYIN_DATABASE_CONNECTIONS": bad]) { $1 })
            }
        }
    }

    @Test("Webhooks to internal addresses: refused on the embedded defaults and with DATABASE_URL unless allowed")
    func internalWebhookTargets() throws {
        #expect(try load([:]).allowInternalWebhookTargets == false)
        #expect(try load(["KEYIN_WEBHOOK_INTERNAL_TARGETS": "allow"]).allowInternalWebhookTargets)
        let production = ["DATABASE_URL": "postgres://keyin:secret@db.example/keyin"]
        #expect(try load(production).allowInternalWebhookTargets == false)
        #expect(
            try load(production.merging(["KEYIN_WEBHOOK_INTERNAL_TARGETS": "allow"]) { $1 }).allowInternalWebhookTargets
        )
        #expect(try load(["KEYIN_WEBHOOK_INTERNAL_TARGETS": "deny"]).allowInternalWebhookTargets == false)
        #expect(throws: ConfigurationError.self) { try load(["KEYIN_WEBHOOK_INTERNAL_TARGETS": "yes"]) }
    }

    @Test("A flag beats the environment, the environment beats the file, the file beats the default")
    func precedence() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-settings-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(
            #"{"port": 9001, "cardRetentionDays": "30", "publicURL": "https://pay.shop.example", "issuerHosts": ["default=127.0.0.1:8583", "41=127.0.0.1:8584"]}"#
                .utf8
        ).write(to: file)
        let environment = ["KEYIN_HTTP_PORT": "9002", "KEYIN_CARD_RETENTION_DAYS": "60", "KEYIN_CONFIG": file.path]
        let configuration = try load(environment, arguments: ["--port", "9003"])
        #expect(configuration.port == 9003)
        #expect(configuration.cardRetentionDays == 60)
        #expect(configuration.publicBaseURL == "https://pay.shop.example")
        #expect(configuration.issuerHosts?["41"]?.port == 8584 && configuration.isEmbedded == false)
        #expect(configuration.linkResponseTimeout == .seconds(10))
        #expect(try load([:]).port == 8080 && load([:]).isEmbedded)
        // Set to nothing, a variable does not hide the file's value.
        #expect(
            try load(["KEYIN_PUBLIC_URL": "", "KEYIN_CONFIG": file.path]).publicBaseURL == "https://pay.shop.example")
        // Lists on the command line and in the environment are comma-separated.
        let hosts = try load([:], arguments: ["--issuer-hosts", "default=127.0.0.1:1,41=127.0.0.1:2"])
        #expect(hosts.issuerHosts?.count == 2)
    }

    @Test("Reading the settings writes nothing; the embedded start makes the data directory and the master key")
    func readingWritesNothing() throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = try ServerConfiguration.load(arguments: ["--data-dir", directory.path], environment: [:])
        #expect(!FileManager.default.fileExists(atPath: directory.path))
        let key = try configuration.prepareEmbeddedStart()
        let file = directory.appendingPathComponent("master.key")
        #expect(FileManager.default.fileExists(atPath: file.path))
        // The next start reads the same key.
        let again = try ServerConfiguration.load(arguments: ["--data-dir", directory.path], environment: [:])
        #expect(try again.prepareEmbeddedStart().id == key.id)
    }

    @Test("Live 3-D Secure needs both the ACS's address and its signing key; the key is never repeated")
    func accessControlSettings() throws {
        let key = "acs-shared-key-0123456789"
        let both = try load(["KEYIN_ACS_URL": "https://acs.card.example/3ds", "KEYIN_ACS_SIGNING_KEY": key])
        #expect(both.accessControl?.url == "https://acs.card.example/3ds" && both.accessControl?.signingKey == key)
        #expect(try load([:]).accessControl == nil)
        for (environment, setting) in [
            (["KEYIN_ACS_URL": "https://acs.card.example"], "KEYIN_ACS_SIGNING_KEY"),
            (["KEYIN_ACS_URL": "https://acs.card.example", "KEYIN_ACS_SIGNING_KEY": "short"], "KEYIN_ACS_SIGNING_KEY"),
            (["KEYIN_ACS_URL": "ftp://acs.card.example", "KEYIN_ACS_SIGNING_KEY": key], "KEYIN_ACS_URL"),
            (["KEYIN_ACS_SIGNING_KEY": key], "KEYIN_ACS_SIGNING_KEY"),
        ] {
            do {
                _ = try load(environment)
                Issue.record("accepted \(environment.keys.sorted())")
            } catch {
                let message = String(describing: error)
                #expect(message.contains(setting) && !message.contains(key), "\(message)")
            }
        }
    }

    @Test("Mistakes stop start-up naming the setting, never its value: unknown flags, missing values, bad files")
    func mistakes() throws {
        func problem(_ environment: [String: String], _ arguments: [String] = []) -> String {
            do {
                _ = try load(environment, arguments: arguments)
                return ""
            } catch {
                return String(describing: error)
            }
        }
        #expect(problem([:], ["--prot", "8080"]).contains("--prot is not a setting"))
        #expect(problem([:], ["--port"]).contains("--port needs a value"))
        #expect(problem([:], ["--port", "80808"]).contains("KEYIN_HTTP_PORT (--port) must be a port number"))
        // Kubernetes' KEYIN_PORT=tcp://… (a service named keyin) is not this setting.
        #expect(try load(["KEYIN_PORT": "tcp://10.96.0.12:8080"]).port == 8080)
        // A value without its flag is refused without being repeated (it may be a key).
        let stray = problem([:], ["s3cr3t-master-key"])
        #expect(stray.contains("is not a --flag") && !stray.contains("s3cr3t"))
        let secret = "postgres-password-9"
        let bad = problem(["DATABASE_URL": "mysql://keyin:\(secret)@db.example/keyin"])
        #expect(bad.contains("DATABASE_URL (--database-url)") && !bad.contains(secret))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-settings-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"prot": "8080"}"#.utf8).write(to: file)
        #expect(problem([:], ["--config", file.path]).contains("\"prot\" is not a setting"))
        try Data(#"{"port": ["8080"]}"#.utf8).write(to: file)
        #expect(problem([:], ["--config", file.path]).contains("port must be text"))
        #expect(problem([:], ["--config", "/nonexistent/keyin.json"]).contains("cannot be read"))
    }

    @Test("Every setting has its flag and environment variable as the providers read them")
    func namesFollowTheProviders() throws {
        for setting in GatewaySetting.all where setting != .configFile && setting != .dataDirectory {
            let value = setting == .port ? "8123" : "x"
            #expect(setting.environmentName.hasPrefix(setting == .databaseURL ? "DATABASE" : "KEYIN_"))
            // Given both ways, with a bad value, each names the same setting.
            let fromEnvironment = Result { try load([setting.environmentName: value]) }
            let fromFlag = Result { try load([:], arguments: [setting.flag, value]) }
            switch (fromEnvironment, fromFlag) {
            case (.failure(let environmentError as ConfigurationError), .failure(let flagError as ConfigurationError)):
                #expect(environmentError.setting == setting.name && flagError.setting == setting.name)
            case (.success(let environmentValue), .success(let flagValue)):
                #expect(environmentValue.port == flagValue.port && environmentValue.hostname == flagValue.hostname)
            default:
                Issue.record("\(setting.key): read differently from \(setting.environmentName) and \(setting.flag)")
            }
        }
        #expect(try load(["KEYIN_HOSTNAME": "0.0.0.0"]).hostname == "0.0.0.0")
    }
}
