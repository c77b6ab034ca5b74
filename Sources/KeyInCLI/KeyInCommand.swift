import ArgumentParser

/// `keyin`: the one executable. Each capability is a subcommand; later issues add `serve`, `issuer` and more.
public struct KeyInCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "keyin",
        abstract: "KeyIn (키인 결제 마스터): key-in card payments that succeed more often and fail clearly.",
        subcommands: [
            ServeCommand.self, CardCommand.self, ErrorsCommand.self, IssuerCommand.self, MerchantCommand.self,
            MigrateCommand.self, KeysCommand.self, BenchCommand.self, SettingsCommand.self,
        ]
    )

    public init() {}
}

/// `keyin card …`
public struct CardCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Work with keyed-in card data.",
        subcommands: [CardCheckCommand.self]
    )

    public init() {}
}
