import Fluent
import Foundation
import KeyInPersistence

/// Brings messages stored by other `keyin serve` processes on the same database to this process's sockets. The
/// serving loop runs a pass twice a second; with no chat socket open here, a pass reads nothing.
struct ChatRelay: Sendable {
    let database: any Database
    let hub: ChatHub
    let now: @Sendable () -> Date

    /// How far back each pass reads again: other processes' clocks differ a little, and a message is stamped before
    /// its commit, which can wait on a lock (the hub's marks, kept two minutes, stop repeats).
    static let overlapSeconds: TimeInterval = 60

    /// The most a pass reads; the newest are read first, so a burst never stalls the relay on old rows.
    static let batch = 500

    @discardableResult
    func pass() async throws -> Int {
        let current = now()
        guard let since = await hub.relayStart(now: current, overlap: Self.overlapSeconds) else { return 0 }
        let messages = try await newest(since: since, interest: await hub.interest)
        let fresh = await hub.takeUnhandled(messages.reversed(), now: current)
        guard !fresh.isEmpty else { return 0 }
        let inquiries = try await InquiryModel.query(on: database)
            .filter(\.$id ~~ Set(fresh.map { $0.$inquiry.id })).all()
        let byID = Dictionary(
            uniqueKeysWithValues: inquiries.compactMap { inquiry in inquiry.id.map { ($0, inquiry) } })
        var relayed = 0
        for message in fresh {
            guard let inquiry = byID[message.$inquiry.id] else { continue }
            await hub.relay(message, of: inquiry)
            relayed += 1
        }
        return relayed
    }

    /// The newest customer and staff chat messages since `since` in conversations someone here takes part in: the
    /// shops whose staff are connected here, the customers connected here. Newest first, at most `batch`.
    func newest(
        since: Date, interest: (merchants: Set<UUID>, inquiries: Set<UUID>)
    ) async throws -> [InquiryMessageModel] {
        guard !interest.merchants.isEmpty || !interest.inquiries.isEmpty else { return [] }
        return try await InquiryMessageModel.query(on: database)
            .join(InquiryModel.self, on: \InquiryMessageModel.$inquiry.$id == \InquiryModel.$id)
            .filter(InquiryModel.self, \.$channel == "CHAT")
            .group(.or) { group in
                // (An empty IN list is not valid SQL everywhere: only the non-empty ones are asked.)
                if !interest.merchants.isEmpty {
                    group.filter(InquiryModel.self, \.$merchant.$id ~~ interest.merchants)
                }
                if !interest.inquiries.isEmpty { group.filter(\.$inquiry.$id ~~ interest.inquiries) }
            }
            .filter(\.$createdAt >= since).filter(\.$author ~~ ["CUSTOMER", "STAFF"])
            .sort(\.$createdAt, .descending).limit(Self.batch).all()
    }
}
