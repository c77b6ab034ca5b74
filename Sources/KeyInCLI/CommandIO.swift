/// Where a command reads and writes, so tests can drive a command without touching the process's streams.
package struct CommandIO: Sendable {
    package var write: @Sendable (String) -> Void
    package var readLine: @Sendable () -> String?

    package init(write: @escaping @Sendable (String) -> Void, readLine: @escaping @Sendable () -> String?) {
        self.write = write
        self.readLine = readLine
    }

    package static let standard = CommandIO(
        write: { print($0) },
        readLine: { Swift.readLine(strippingNewline: true) }
    )
}
