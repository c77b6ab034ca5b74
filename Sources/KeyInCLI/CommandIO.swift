/// Where a command reads and writes, so tests can drive a command without touching the process's streams.
public struct CommandIO: Sendable {
    public var write: @Sendable (String) -> Void
    public var readLine: @Sendable () -> String?

    public init(write: @escaping @Sendable (String) -> Void, readLine: @escaping @Sendable () -> String?) {
        self.write = write
        self.readLine = readLine
    }

    public static let standard = CommandIO(
        write: { print($0) },
        readLine: { Swift.readLine(strippingNewline: true) }
    )
}
