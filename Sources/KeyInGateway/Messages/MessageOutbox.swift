import Foundation
import KeyInCore
import KeyInPersistence
import Logging

/// Hands a message to whatever carries it (an SMS gateway, KakaoTalk's business messaging, e-mail). Returns the
/// status to record: `SENT`, or `RECORDED` for a sender that only keeps it. Plugged in through `configure`.
package protocol MessageSender: Sendable {
    func send(channel: MessageChannel, to recipient: String, body: String) async throws -> String
}

/// The default: sends nothing, and records the message so the console shows what would have been sent.
package struct RecordingMessageSender: MessageSender {
    package init() {}

    package func send(channel: MessageChannel, to recipient: String, body: String) async throws -> String { "RECORDED" }
}

/// Queues messages and sends the waiting ones through the configured sender.
package struct MessageOutbox: Sendable {
    package let store: MessageStore
    package let sender: any MessageSender
    package let logger: Logger
    package let now: @Sendable () -> Date

    package func enqueue(
        _ channel: MessageChannel, to recipient: String, body: String, about subject: String, merchantID: MerchantID
    ) async throws {
        try await store.enqueue(channel, to: recipient, body: body, about: subject, merchantID: merchantID, at: now())
    }

    /// How long a claimed message stays out of other processes' reach; longer than any sender's deadline. A
    /// process that dies mid-send leaves the message to be sent again when the lease runs out: a duplicate is better
    /// than a loss.
    package static let leaseMilliseconds: Int64 = 120_000

    /// Sends every waiting message once. Several gateway processes can share one database: each message is claimed
    /// under a lease first (a conditional update), so only one of them sends it. Returns how many were handed to the
    /// sender here.
    @discardableResult
    package func sendPending(limit: Int = 50) async throws -> Int {
        let nowMilliseconds = now().epochMilliseconds
        var sent = 0
        for message in try await store.pending(at: nowMilliseconds, limit: limit)
        where try await store.claim(message.id, at: nowMilliseconds, until: nowMilliseconds + Self.leaseMilliseconds) {
            sent += 1
            let kept = Self.kept(message.body, subject: message.subjectReference)
            do {
                let status = try await sender.send(channel: message.channel, to: message.recipient, body: message.body)
                try await store.finish(
                    message.id, status: OutboundMessageStatus(rawValue: status) ?? .sent, keptBody: kept,
                    sentAt: now(), error: nil)
            } catch {
                logger.notice("message not sent", metadata: ["messageId": "\(message.id.uuidString)"])
                try await store.finish(
                    message.id, status: .failed, keptBody: kept, sentAt: nil,
                    error: String(String(describing: error).prefix(200)))
            }
        }
        return sent
    }

    /// What stays of a message once it has gone: all of it, except that a password reset link (a secret that takes
    /// over the account for 30 minutes) is not left readable in the database.
    package static func kept(_ body: String, subject: String) -> String {
        guard subject.hasPrefix("password_reset:") else { return body }
        return body.replacing(/\/console\/reset\/[0-9a-f]+/, with: "/console/reset/(보낸 뒤 지움)")
    }
}
