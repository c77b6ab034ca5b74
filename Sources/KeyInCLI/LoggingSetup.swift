import Foundation
import Logging

/// Logging for the `keyin` executable: lines on standard error at the level `KEYIN_LOG_LEVEL` names
/// (`trace`, `debug`, `info` (default), `notice`, `warning`, `error`, `critical`). Called once, by `main`.
package enum LoggingSetup {
    package static func level(from environment: [String: String]) -> Result<Logger.Level, ConfigurationProblem> {
        guard let text = environment["KEYIN_LOG_LEVEL"], !text.isEmpty else { return .success(.info) }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            return .failure(
                ConfigurationProblem(
                    message:
                        "설정 오류 · configuration error: KEYIN_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical"
                ))
        }
        return .success(level)
    }

    /// Every line goes through `RedactingLogHandler`: no level shows a card or a credential.
    package static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = RedactingLogHandler(wrapped: StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
    }

    package struct ConfigurationProblem: Error {
        package let message: String
    }
}
