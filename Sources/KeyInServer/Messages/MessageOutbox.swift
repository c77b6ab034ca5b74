import Fluent
import FluentSQL
import Foundation
import KeyInPersistence
import Logging

/// The channels KeyIn can send a customer a message on.
public enum MessageChannel: String, CaseIterable, Sendable, Codable {
    case sms = "SMS"
    case kakaoTalk = "KAKAOTALK"
    case email = "EMAIL"
}

/// Hands a message to whatever carries it (an SMS gateway, KakaoTalk's business messaging, e-mail). Returns the
/// status to record: `SENT`, or `RECORDED` for a sender that only keeps it. Plugged in through `configure`.
public protocol MessageSender: Sendable {
    func send(channel: MessageChannel, to recipient: String, body: String) async throws -> String
}

/// The default: sends nothing, and records the message so the console shows what would have been sent.
public struct RecordingMessageSender: MessageSender {
    public init() {}

    public func send(channel: MessageChannel, to recipient: String, body: String) async throws -> String { "RECORDED" }
}

/// Queues messages and sends the waiting ones through the configured sender.
struct MessageOutbox: Sendable {
    let database: any Database
    let sender: any MessageSender
    let logger: Logger
    let now: @Sendable () -> Date

    @discardableResult
    func enqueue(
        _ channel: MessageChannel, to recipient: String, body: String, about subject: String, merchantID: UUID
    ) async throws -> OutboundMessageModel {
        let message = OutboundMessageModel()
        message.$merchant.id = merchantID
        message.channel = channel.rawValue
        message.recipient = recipient
        message.body = body
        message.subjectReference = subject
        message.status = "PENDING"
        message.createdAt = now()
        try await message.create(on: database)
        return message
    }

    /// How long a claimed message stays out of other processes' reach; longer than any sender's deadline. A
    /// process that dies mid-send leaves the message to be sent again when the lease runs out: a duplicate is better
    /// than a loss.
    static let leaseMilliseconds: Int64 = 120_000

    /// Sends every waiting message once. Several gateway processes can share one database: each message is claimed
    /// under a lease first (a conditional update), so only one of them sends it. Returns how many were handed to the
    /// sender here.
    @discardableResult
    func sendPending(limit: Int = 50) async throws -> Int {
        let nowMilliseconds = now().epochMilliseconds
        let pending = try await OutboundMessageModel.query(on: database).filter(\.$status == "PENDING")
            .group(.or) { free in
                free.filter(\.$leaseUntilMilliseconds == nil).filter(\.$leaseUntilMilliseconds <= nowMilliseconds)
            }
            .sort(\.$createdAt).limit(limit).all()
        var sent = 0
        for message in pending where try await claim(message, nowMilliseconds: nowMilliseconds) {
            sent += 1
            guard let channel = MessageChannel(rawValue: message.channel) else { continue }
            do {
                message.status = try await sender.send(channel: channel, to: message.recipient, body: message.body)
                message.sentAt = now()
                message.body = Self.kept(message.body, subject: message.subjectReference)
            } catch {
                message.body = Self.kept(message.body, subject: message.subjectReference)
                message.status = "FAILED"
                message.error = String(String(describing: error).prefix(200))
                logger.notice("message not sent", metadata: ["messageId": "\(message.id?.uuidString ?? "")"])
            }
            message.leaseUntilMilliseconds = nil
            try await message.update(on: database)
        }
        return sent
    }

    /// Takes the message for this process until the lease ends, unless another process has it.
    private func claim(_ message: OutboundMessageModel, nowMilliseconds: Int64) async throws -> Bool {
        let id = try message.requireID()
        return try await database.compareAndSet(OutboundMessageModel.schema) {
            $0.set("lease_until_ms", to: nowMilliseconds + Self.leaseMilliseconds).where("id", .equal, id)
                .where("status", .equal, "PENDING")
                .where(group: {
                    $0.where("lease_until_ms", .is, SQLLiteral.null)
                        .orWhere("lease_until_ms", .lessThanOrEqual, nowMilliseconds)
                })
        }
    }

    /// What stays of a message once it has gone: all of it, except that a password reset link (a secret that takes
    /// over the account for 30 minutes) is not left readable in the database.
    static func kept(_ body: String, subject: String) -> String {
        guard subject.hasPrefix("password_reset:") else { return body }
        return body.replacing(/\/console\/reset\/[0-9a-f]+/, with: "/console/reset/(보낸 뒤 지움)")
    }
}
