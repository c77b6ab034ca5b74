import ArgumentParser

/// `keyin`: the one executable. Each capability is a subcommand; later issues add `serve`, `issuer` and more.
package struct KeyInCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "keyin",
        abstract: "KeyIn (키인 결제 마스터): key-in card payments that succeed more often and fail clearly.",
        subcommands: [
            ServeCommand.self, CardCommand.self, ErrorsCommand.self, IssuerCommand.self, MerchantCommand.self,
            MigrateCommand.self, KeysCommand.self, BenchCommand.self, SettingsCommand.self,
        ]
    )

    package init() {}
}

/// `keyin card …`
package struct CardCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Work with keyed-in card data.",
        subcommands: [CardCheckCommand.self]
    )

    package init() {}
}
