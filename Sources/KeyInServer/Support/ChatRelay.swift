import Fluent
import Foundation

/// Brings messages stored by other `keyin serve` processes on the same database to this process's sockets. The
/// serving loop runs a pass twice a second; with no chat socket open here, a pass reads nothing.
struct ChatRelay: Sendable {
    let database: any Database
    let hub: ChatHub
    let now: @Sendable () -> Date

    /// How far back each pass reads again: other processes' clocks differ a little, and a message is stamped before
    /// its commit, which can wait on a lock (the hub's marks, kept two minutes, stop repeats).
    static let overlapSeconds: TimeInterval = 60

    @discardableResult
    func pass() async throws -> Int {
        let current = now()
        guard let since = await hub.relayStart(now: current, overlap: Self.overlapSeconds) else { return 0 }
        let messages = try await InquiryMessageModel.query(on: database).filter(\.$createdAt >= since)
            .filter(\.$author ~~ ["CUSTOMER", "STAFF"]).sort(\.$createdAt).limit(500).all()
        let fresh = await hub.takeUnhandled(messages, now: current)
        guard !fresh.isEmpty else { return 0 }
        let inquiries = try await InquiryModel.query(on: database)
            .filter(\.$id ~~ Set(fresh.map { $0.$inquiry.id })).filter(\.$channel == "CHAT").all()
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
}
