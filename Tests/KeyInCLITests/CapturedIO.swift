import Foundation
import KeyInCLI
import Synchronization

/// A `CommandIO` that feeds lines in and keeps what the command writes.
final class CapturedIO: Sendable {
    private let state: Mutex<(input: [String], output: [String])>

    init(input: [String] = []) {
        state = Mutex((input, []))
    }

    var io: CommandIO {
        CommandIO(
            write: { text in self.state.withLock { $0.output.append(text) } },
            readLine: { self.state.withLock { $0.input.isEmpty ? nil : $0.input.removeFirst() } })
    }

    var output: String { state.withLock { $0.output.joined(separator: "\n") } }
    var lines: [String] { output.split(separator: "\n").map(String.init) }
}
