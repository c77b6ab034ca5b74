import KeyInCore
import Logging

/// The `keyin` process's log handler: the lines some libraries write about every request's raw bytes stay out of
/// the log at every level, and every other line passes through `SecretRedaction` before it is written.
struct RedactingLogHandler: LogHandler {
    var wrapped: any LogHandler

    /// Vapor's request decoder logs each part of every request at trace level: the head with its `Authorization`
    /// header, and each body chunk (a card form or a key-in body) as the hex of its bytes.
    static let droppedPrefixes = ["Decoded HTTP part"]

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        let text = message.description
        guard !Self.droppedPrefixes.contains(where: text.hasPrefix) else { return }
        wrapped.log(
            level: level, message: "\(SecretRedaction.redacted(text))",
            metadata: metadata.map(Self.redacted), source: source, file: file, function: function, line: line)
    }

    static func redacted(_ metadata: Logger.Metadata) -> Logger.Metadata {
        metadata.mapValues(redacted)
    }

    static func redacted(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(SecretRedaction.redacted(text))
        case .stringConvertible(let convertible): .string(SecretRedaction.redacted(convertible.description))
        case .array(let values): .array(values.map(redacted))
        case .dictionary(let values): .dictionary(values.mapValues(redacted))
        }
    }
}
