import Foundation
import KeyInCore
import KeyInPersistence

/// Brings messages stored by other `keyin serve` processes on the same database to this process's sockets. The
/// serving loop runs a pass twice a second; with no chat socket open here, a pass reads nothing.
package struct ChatRelay: Sendable {
    package let store: SupportStore
    package let hub: ChatHub
    package let now: @Sendable () -> Date

    /// How far back each pass reads again: other processes' clocks differ a little, and a message is stamped before
    /// its commit, which can wait on a lock (the hub's marks, kept two minutes, stop repeats).
    package static let overlapSeconds: TimeInterval = 60

    /// The most a pass reads; the newest are read first, so a burst never stalls the relay on old rows.
    package static let batch = 500

    @discardableResult
    package func pass() async throws -> Int {
        let current = now()
        guard let since = await hub.relayStart(now: current, overlap: Self.overlapSeconds) else { return 0 }
        let messages = try await newest(since: since, interest: await hub.interest)
        let fresh = await hub.takeUnhandled(messages.reversed(), now: current)
        guard !fresh.isEmpty else { return 0 }
        let inquiries = try await store.inquiries(ids: Set(fresh.map(\.inquiryID)))
        let byID = Dictionary(uniqueKeysWithValues: inquiries.map { ($0.id, $0) })
        var relayed = 0
        for message in fresh {
            guard let inquiry = byID[message.inquiryID] else { continue }
            await hub.relay(message, of: inquiry)
            relayed += 1
        }
        return relayed
    }

    /// The newest customer and staff chat messages since `since` in conversations someone here takes part in: the
    /// shops whose staff are connected here, the customers connected here. Newest first, at most `batch`.
    package func newest(
        since: Date, interest: (merchants: Set<MerchantID>, inquiries: Set<InquiryID>)
    ) async throws -> [InquiryMessageRecord] {
        try await store.newestChatLines(
            since: since, merchants: interest.merchants, inquiries: interest.inquiries, limit: Self.batch)
    }

    package init(store: SupportStore, hub: ChatHub, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.hub = hub
        self.now = now
    }
}
