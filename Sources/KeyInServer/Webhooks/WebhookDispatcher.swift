import CardVault
import Fluent
import FluentSQL
import Foundation
import KeyInPersistence
import Logging
import Vapor

/// Works the outbox: sends every due delivery, records each attempt, and schedules the next one on the backoff.
/// Several gateway processes can share one database: a delivery is claimed with a conditional update first, so
/// only one of them sends it, and a process that dies mid-attempt only delays it by the lease.
struct WebhookDispatcher: Sendable {
    let database: any Database
    let vault: CardVault
    let sender: any WebhookSender
    let logger: Logger
    let now: @Sendable () -> Date

    /// Minutes to wait after each failed attempt; after the last, the delivery is FAILED (8 attempts in all).
    static let retryDelayMinutes: [Int64] = [1, 4, 16, 64, 256, 1024, 4096]
    /// How long a claimed delivery stays out of other processes' reach; longer than the sender's timeout.
    static let leaseMilliseconds: Int64 = 120_000

    /// Attempts every delivery due now (up to `limit`), concurrently. Returns how many were attempted.
    @discardableResult
    func deliverDue(limit: Int = 50) async throws -> Int {
        let nowMilliseconds = now().epochMilliseconds
        let due = try await WebhookDeliveryModel.query(on: database)
            .filter(\.$status == WebhookDeliveryStatus.pending.rawValue)
            .filter(\.$nextAttemptMilliseconds <= nowMilliseconds)
            .sort(\.$nextAttemptMilliseconds).limit(limit)
            .with(\.$endpoint).all()
        var claimed: [WebhookDeliveryModel] = []
        for delivery in due where try await claim(delivery, nowMilliseconds: nowMilliseconds) {
            claimed.append(delivery)
        }
        await withTaskGroup(of: Void.self) { group in
            for delivery in claimed {
                group.addTask { await attempt(delivery) }
            }
        }
        return claimed.count
    }

    private func claim(_ delivery: WebhookDeliveryModel, nowMilliseconds: Int64) async throws -> Bool {
        guard let due = delivery.nextAttemptMilliseconds else { return false }
        let id = try delivery.requireID()
        return try await database.compareAndSet(WebhookDeliveryModel.schema) {
            $0.set("next_attempt_ms", to: nowMilliseconds + Self.leaseMilliseconds).where("id", .equal, id)
                .where("status", .equal, WebhookDeliveryStatus.pending.rawValue).where("next_attempt_ms", .equal, due)
        }
    }

    private func attempt(_ delivery: WebhookDeliveryModel) async {
        let endpoint = delivery.endpoint
        let startedAt = now()
        let clock = ContinuousClock()
        let began = clock.now
        var responseStatus: UInt?
        var failure: String?
        if endpoint.deletedAt != nil {
            failure = "endpoint removed"
        } else {
            do {
                let secret = try vault.openSecret(
                    SealedCard(
                        ciphertext: endpoint.secretCiphertext, wrappedDataKey: endpoint.secretWrappedKey,
                        masterKeyID: endpoint.masterKeyID))
                let body = Data(delivery.payload.utf8)
                var headers = HTTPHeaders()
                headers.add(name: .contentType, value: "application/json; charset=utf-8")
                headers.add(name: .userAgent, value: "KeyIn-Webhooks/1")
                headers.add(name: "KeyIn-Delivery-Id", value: try delivery.requireID().uuidString.lowercased())
                headers.add(name: "KeyIn-Event-Type", value: delivery.eventType)
                headers.add(
                    name: WebhookSignature.headerName,
                    value: WebhookSignature.header(
                        secret: secret, timestamp: Int64(startedAt.timeIntervalSince1970), body: body))
                responseStatus = try await sender.post(endpoint.url, headers: headers, body: body)
            } catch {
                failure = Self.describe(error)
            }
        }
        let elapsed = clock.now - began
        await record(
            delivery, at: startedAt, status: responseStatus, failure: failure,
            milliseconds: Int(
                elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
            endpointRemoved: endpoint.deletedAt != nil)
    }

    private func record(
        _ delivery: WebhookDeliveryModel, at date: Date, status: UInt?, failure: String?, milliseconds: Int,
        endpointRemoved: Bool
    ) async {
        let succeeded = status.map { (200..<300).contains($0) } ?? false
        delivery.attemptCount += 1
        delivery.lastAttemptAt = date
        delivery.lastResponseStatus = status.map { Int($0) }
        delivery.lastError = failure ?? (succeeded ? nil : "HTTP \(status ?? 0)")
        if succeeded {
            delivery.status = WebhookDeliveryStatus.succeeded.rawValue
            delivery.nextAttemptMilliseconds = nil
        } else if !endpointRemoved, delivery.attemptCount <= Self.retryDelayMinutes.count {
            let delay = Self.retryDelayMinutes[delivery.attemptCount - 1] * 60_000
            delivery.nextAttemptMilliseconds = now().epochMilliseconds + delay
        } else {
            delivery.status = WebhookDeliveryStatus.failed.rawValue
            delivery.nextAttemptMilliseconds = nil
        }
        let attempt = WebhookAttemptModel()
        attempt.$delivery.id = delivery.id!
        attempt.attemptNumber = delivery.attemptCount
        attempt.attemptedAt = date
        attempt.responseStatus = status.map { Int($0) }
        attempt.error = delivery.lastError
        attempt.durationMilliseconds = milliseconds
        do {
            try await database.transaction { database in
                try await delivery.update(on: database)
                try await attempt.create(on: database)
            }
        } catch {
            // The lease runs out and the delivery is tried again: a duplicate is better than a loss, and the
            // delivery id lets the receiver drop it.
            logger.error("webhook attempt not recorded", metadata: ["deliveryId": "\(delivery.id!)"])
        }
        if !succeeded {
            logger.notice(
                "webhook delivery failed",
                metadata: [
                    "deliveryId": "\(delivery.id!)", "attempt": "\(delivery.attemptCount)",
                    "error": "\(delivery.lastError ?? "")",
                ])
        }
    }

    /// A short, secret-free account of why no answer came.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("timeout") || text.localizedCaseInsensitiveContains("deadline") {
            return "timed out"
        }
        if text.localizedCaseInsensitiveContains("refused") { return "connection refused" }
        return String(text.prefix(200))
    }
}
