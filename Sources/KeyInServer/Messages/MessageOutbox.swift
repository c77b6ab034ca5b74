import Fluent
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

    /// Sends every waiting message once. Returns how many were handed to the sender.
    @discardableResult
    func sendPending(limit: Int = 50) async throws -> Int {
        let pending = try await OutboundMessageModel.query(on: database).filter(\.$status == "PENDING")
            .sort(\.$createdAt).limit(limit).all()
        for message in pending {
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
            try await message.update(on: database)
        }
        return pending.count
    }

    /// What stays of a message once it has gone: all of it, except that a password reset link (a secret that takes
    /// over the account for 30 minutes) is not left readable in the database.
    static func kept(_ body: String, subject: String) -> String {
        guard subject.hasPrefix("password_reset:") else { return body }
        return body.replacing(/\/console\/reset\/[0-9a-f]+/, with: "/console/reset/(보낸 뒤 지움)")
    }
}
