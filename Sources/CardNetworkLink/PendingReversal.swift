import Foundation
import ISO8583

/// A reversal (망취소) the link owes a card company: kept durably until the host answers it with a 0410, so
/// that no timed-out or cut-off approval is left standing, even across restarts.
public struct PendingReversal: Hashable, Sendable, Codable, Identifiable {
    public let id: UUID
    /// Routes the reversal to the same host as the original.
    public let companyCode: String?
    /// The reversal's own STAN and time; a repeat (0401) carries the same ones.
    public let trace: TransactionTrace
    /// Element 90: the message being reversed.
    public let originalMessageType: String
    public let originalSTAN: String
    public let originalTransmissionDateTime: String
    public let processingCode: String
    /// Element 4 as sent in the original.
    public let amountField: String
    public let currencyCode: String
    /// Element 25 as sent in the original (e-commerce or mail/telephone order), repeated so the host reverses it
    /// under the condition it was authorized; nil for reversals kept before it was recorded.
    public let posCondition: String?
    /// How many times it has been sent without an answer.
    public var attempts: Int
    public let createdAt: Date

    public init(
        id: UUID = UUID(), companyCode: String?, trace: TransactionTrace, original: ISO8583Message, attempts: Int = 0,
        createdAt: Date
    ) {
        self.id = id
        self.companyCode = companyCode
        self.trace = trace
        self.originalMessageType = original.mti.rawValue
        self.originalSTAN = original[.systemTraceAuditNumber] ?? "000000"
        self.originalTransmissionDateTime = original[.transmissionDateTime] ?? "0000000000"
        self.processingCode = original[.processingCode] ?? "000000"
        self.amountField = original[.amount] ?? "000000000000"
        self.currencyCode = original[.currencyCode] ?? "410"
        self.posCondition = original[.posConditionCode]
        self.attempts = attempts
        self.createdAt = createdAt
    }

    var original: OriginalDataElements {
        OriginalDataElements(
            messageType: MessageTypeIndicator(rawValue: originalMessageType) ?? .financialRequest,
            systemTraceAuditNumber: originalSTAN, transmissionDateTime: originalTransmissionDateTime)
    }
}

/// Where pending reversals survive a restart. The server keeps them in its database; `JSONFileReversalStore`
/// serves the standalone link. Implementations must have written a reversal durably when `save` returns.
public protocol PendingReversalStore: Sendable {
    func save(_ reversal: PendingReversal) async throws
    func remove(id: UUID) async throws
    func all() async throws -> [PendingReversal]
    /// The host answered the reversal (0410) with `responseCode`: it is owed no longer. Stores that keep a record
    /// of what happened (the gateway's payment timeline) write it here, together with the removal.
    func settle(_ reversal: PendingReversal, responseCode: String) async throws
}

extension PendingReversalStore {
    public func settle(_ reversal: PendingReversal, responseCode: String) async throws {
        try await remove(id: reversal.id)
    }
}

/// Keeps pending reversals in memory only: for tests and throwaway demos.
public actor InMemoryReversalStore: PendingReversalStore {
    private var reversals: [UUID: PendingReversal] = [:]

    public init() {}

    public func save(_ reversal: PendingReversal) { reversals[reversal.id] = reversal }
    public func remove(id: UUID) { reversals[id] = nil }
    public func all() -> [PendingReversal] { reversals.values.sorted { $0.createdAt < $1.createdAt } }
}

/// Keeps pending reversals in one JSON file, rewritten atomically on every change.
public actor JSONFileReversalStore: PendingReversalStore {
    private let url: URL
    private var reversals: [UUID: PendingReversal]

    public init(url: URL) throws {
        self.url = url
        if FileManager.default.fileExists(atPath: url.path) {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let list = try decoder.decode([PendingReversal].self, from: Data(contentsOf: url))
            reversals = Dictionary(uniqueKeysWithValues: list.map { ($0.id, $0) })
        } else {
            reversals = [:]
        }
    }

    public func save(_ reversal: PendingReversal) throws {
        reversals[reversal.id] = reversal
        try write()
    }

    public func remove(id: UUID) throws {
        reversals[id] = nil
        try write()
    }

    public func all() -> [PendingReversal] { reversals.values.sorted { $0.createdAt < $1.createdAt } }

    private func write() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(all()).write(to: url, options: .atomic)
    }
}
