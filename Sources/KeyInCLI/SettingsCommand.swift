import ArgumentParser
import KeyInApp
import KeyInGateway

/// `keyin settings`: every setting of `keyin serve`, with its flag, environment variable and default. The settings
/// table of docs/operations.md is its `--markdown` output, checked by a test.
package struct SettingsCommand: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "List the settings of keyin serve (flags, environment variables, file keys, defaults)."
    )

    @Flag(help: "Print the table as Markdown, as docs/operations.md shows it.")
    var markdown = false

    package init() {}

    package func run() {
        print(markdown ? GatewaySetting.markdownTable : GatewaySetting.helpText)
    }
}
