import ArgumentParser
import Foundation
import KeyInApp
import KeyInCore
import KeyInGateway

/// `keyin merchant create --name NAME [--json]`
package struct MerchantCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "merchant", abstract: "Manage merchants.",
        subcommands: [MerchantCreateCommand.self, MerchantKeysCommand.self, MerchantStaffCommand.self])

    package init() {}
}

package struct MerchantCreateCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a merchant and print its id and secret key (shown once).")

    @Option(help: "The merchant's name.")
    var name: String

    @Flag(help: "Issue a live key (live_sk_…) instead of a test key.")
    var live = false

    @Flag(help: "Print JSON.")
    var json = false

    @Option(
        help:
            "Data directory, for the embedded SQLite database (default: KEYIN_DATA_DIR, the KEYIN_CONFIG file's dataDir, or ./keyin-data)."
    )
    var dataDir: String?

    package init() {}

    package func validate() throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 100 else {
            throw ValidationError("--name must be 1 to 100 characters.")
        }
    }

    package func run() async throws {
        let created = try await withAdministrativeGateway(dataDir: dataDir) { services in
            try await services.createMerchant(name: name, live: live)
        }
        if json {
            try printJSON(["merchantId": created.id.uuidString, "name": name, "secretKey": created.secretKey])
        } else {
            print("가맹점 · merchant \(name): \(created.id.uuidString)")
            print("시크릿 키 · secret key (shown once): \(created.secretKey)")
        }
    }
}

/// `keyin merchant keys rotate --merchant ID [--live] [--grace-hours N] [--json]`: a new secret key; the
/// merchant's other keys of that mode stop working now, or after the grace period.
package struct MerchantKeysCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage a merchant's secret keys.", subcommands: [MerchantKeysRotateCommand.self]
    )

    package init() {}
}

package struct MerchantKeysRotateCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Issue a new secret key and revoke the merchant's other keys of the same mode.",
        discussion: "Use --grace-hours to keep the old keys working while the merchant's servers switch over.")

    @Option(help: "The merchant id (from `keyin merchant create`).")
    var merchant: String

    @Flag(help: "Rotate the live keys (live_sk_…) instead of the test keys.")
    var live = false

    @Option(help: "Hours the old keys keep working (0 to 168).")
    var graceHours = 0

    @Flag(help: "Print JSON.")
    var json = false

    @Option(
        help:
            "Data directory, for the embedded SQLite database (default: KEYIN_DATA_DIR, the KEYIN_CONFIG file's dataDir, or ./keyin-data)."
    )
    var dataDir: String?

    package init() {}

    package func validate() throws {
        guard UUID(uuidString: merchant) != nil else { throw ValidationError("--merchant must be a merchant id.") }
        guard (0...168).contains(graceHours) else { throw ValidationError("--grace-hours must be 0 to 168.") }
    }

    package func run() async throws {
        let key: String?
        do {
            key = try await withAdministrativeGateway(dataDir: dataDir) { services in
                try await services.rotateMerchantKey(
                    merchantID: UUID(uuidString: merchant)!, live: live, graceSeconds: Double(graceHours) * 3600)
            }
        } catch is MerchantAccounts.TestOnlyMerchant {
            throw ValidationError(
                "데모 상점은 테스트 전용이라 라이브 키를 받을 수 없습니다. 실거래용 가맹점은 keyin merchant create --live로 새로 만드세요 · the demo merchant is test-only: create a live merchant with keyin merchant create --live"
            )
        }
        guard let key else { throw ValidationError("가맹점이 없습니다 · no merchant with id \(merchant)") }
        if json {
            try printJSON(["merchantId": merchant, "secretKey": key, "oldKeysRevokedInHours": graceHours])
        } else {
            print("새 시크릿 키 · new secret key (shown once): \(key)")
            print(
                graceHours == 0
                    ? "이전 키는 지금부터 쓸 수 없습니다 · the old keys are revoked now"
                    : "이전 키는 \(graceHours)시간 뒤 폐기됩니다 · the old keys stop working in \(graceHours) h")
        }
    }
}

/// `keyin merchant staff add --merchant ID --email E [--owner] [--json]`: a console sign-in for a merchant's
/// staff. The password is read from standard input when `--password-stdin` is given, else generated and printed
/// once.
package struct MerchantStaffCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Manage who signs in to a merchant's console.",
        subcommands: [MerchantStaffAddCommand.self, MerchantStaffPasswordCommand.self])

    package init() {}
}

package struct MerchantStaffAddCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a console sign-in (owner or staff) for a merchant.")

    @Option(help: "The merchant id (from `keyin merchant create`).")
    var merchant: String

    @Option(help: "The staff member's e-mail, used to sign in.")
    var email: String

    @Flag(help: "An owner (sees API keys and settings) instead of staff.")
    var owner = false

    @OptionGroup var options: StaffPasswordOptions

    package init() {}

    package func validate() throws {
        guard UUID(uuidString: merchant) != nil else { throw ValidationError("--merchant must be a merchant id.") }
    }

    package func run() async throws {
        let password = try options.newPassword()
        try await StaffPasswordOptions.explainingCatalogErrors {
            try await withAdministrativeGateway(dataDir: options.dataDir) { services in
                guard try await services.merchantExists(UUID(uuidString: merchant)!) else {
                    throw ValidationError("가맹점이 없습니다 · no merchant with id \(merchant)")
                }
                try await services.createStaff(
                    merchantID: UUID(uuidString: merchant)!, email: email, password: password, owner: owner)
            }
        }
        try options.report(
            ["merchantId": merchant, "email": email, "role": owner ? "owner" : "staff"],
            done: "콘솔 계정을 만들었습니다 · console sign-in created: \(email) (\(owner ? "owner" : "staff"))",
            password: password, label: "비밀번호 · password")
    }
}

/// `keyin merchant staff password --email E [--password-stdin] [--json]`: an operator sets a new console password
/// for a member who cannot use the e-mailed reset (no mail sender connected, mailbox lost). Like a reset: the
/// member's sessions end, pending reset links are spent, a lock is lifted.
package struct MerchantStaffPasswordCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "password", abstract: "Set a new console password for a staff member (their sessions end).")

    @Option(help: "The staff member's e-mail.")
    var email: String

    @OptionGroup var options: StaffPasswordOptions

    package init() {}

    package func run() async throws {
        let password = try options.newPassword()
        let found = try await StaffPasswordOptions.explainingCatalogErrors {
            try await withAdministrativeGateway(dataDir: options.dataDir) { services in
                try await services.setStaffPassword(email: email, password: password)
            }
        }
        guard found else { throw ValidationError("그런 콘솔 계정이 없습니다 · no console sign-in for \(email)") }
        try options.report(
            ["email": email], done: "비밀번호를 바꿨습니다 · password set for \(email); their sessions have ended",
            password: password, label: "새 비밀번호 · new password")
    }
}

/// What the staff commands share: where the password comes from, how the result is printed, the data directory.
package struct StaffPasswordOptions: ParsableArguments {
    @Flag(help: "Read the password (at least 10 characters) from standard input instead of generating one.")
    var passwordStdin = false

    @Flag(help: "Print JSON.")
    var json = false

    @Option(
        help:
            "Data directory, for the embedded SQLite database (default: KEYIN_DATA_DIR, the KEYIN_CONFIG file's dataDir, or ./keyin-data)."
    )
    var dataDir: String?

    package init() {}

    /// A generated password (four groups of four), or the line on standard input when asked for.
    func newPassword() throws -> String {
        guard passwordStdin else {
            return (0..<4).map { _ in UUID().uuidString.prefix(4).lowercased() }.joined(separator: "-")
        }
        guard let line = readLine(strippingNewline: true), line.count >= 10 else {
            throw ValidationError("the password on standard input must be at least 10 characters")
        }
        return line
    }

    /// Prints the outcome; a generated password once (one read from standard input is never echoed).
    func report(_ object: [String: Any], done: String, password: String, label: String) throws {
        let shown = passwordStdin ? nil : password
        if json {
            var object = object
            object["password"] = shown
            try printJSON(object)
        } else {
            print(done)
            if let shown { print("\(label) (shown once): \(shown)") }
        }
    }

    /// A rule the gateway refused (a short password, an e-mail in use) is said as the catalog says it.
    static func explainingCatalogErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let problem as KeyInError {
            throw ValidationError("\(problem.code.rawValue): \(problem.entry.explanation.ko)")
        }
    }
}
