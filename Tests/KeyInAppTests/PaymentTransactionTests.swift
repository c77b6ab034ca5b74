import Foundation
import Logging
import Synchronization
import Testing
import Vapor

/// Keeps the SQL the gateway's database handle logs (Fluent logs every statement at debug level).
final class SQLCapture: Sendable {
    private let statements = Mutex<[String]>([])

    var all: [String] { statements.withLock { $0 } }

    func logger() -> Logger {
        var logger = Logger(label: "sql-capture") { _ in SQLCaptureHandler(capture: self) }
        logger.logLevel = .debug
        return logger
    }

    func clear() { statements.withLock { $0.removeAll() } }

    fileprivate func append(_ statement: String) { statements.withLock { $0.append(statement) } }

    /// Write transactions in the captured statements: each BEGIN…COMMIT block that writes, and each write made
    /// outside one (SQLite commits it on its own).
    var writeTransactions: Int {
        var count = 0
        var inside = false
        var blockWrites = false
        for statement in all {
            let verb = statement.drop(while: { $0 == " " }).prefix(while: { $0 != " " }).uppercased()
            switch verb {
            case "BEGIN":
                inside = true
                blockWrites = false
            case "COMMIT":
                if blockWrites { count += 1 }
                inside = false
            case "INSERT", "UPDATE", "DELETE":
                if inside { blockWrites = true } else { count += 1 }
            default: break
            }
        }
        return count
    }
}

struct SQLCaptureHandler: LogHandler {
    let capture: SQLCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        // SQLKit logs "Executing query" with the statement in the metadata.
        if case .string(let sql)? = metadata?["sql"] { capture.append(sql) }
    }
}

@Suite("A key-in payment's writes", .timeLimit(.minutes(2)))
struct PaymentTransactionTests {
    @Test(
        "An approval and a decline each take two write transactions: one before the card company is asked, one after",
        arguments: ["4242424242424242", "4000000000000002"])
    func twoTransactionsPerPayment(card: String) async throws {
        let capture = SQLCapture()
        try await GatewayHarness.with(logger: capture.logger()) { gateway in
            capture.clear()
            let body = GatewayHarness.keyIn(card: card)
            let response = try await gateway.send(
                .POST, "v1/payments/key-in", json: body, headers: ["Idempotency-Key": "two-transactions-\(card)"])
            #expect(response.status == (card == "4242424242424242" ? .ok : .paymentRequired))
            let statements = capture.all
            #expect(statements.contains { $0.hasPrefix("BEGIN") }, "no SQL captured: \(statements.prefix(5))")
            #expect(capture.writeTransactions == 2, "\(statements.joined(separator: "\n"))")
            // The repeat is answered from the idempotency record the payment's second transaction completed.
            capture.clear()
            let repeated = try await gateway.send(
                .POST, "v1/payments/key-in", json: body, headers: ["Idempotency-Key": "two-transactions-\(card)"])
            #expect(repeated.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(repeated.raw == response.raw)
        }
    }
}
