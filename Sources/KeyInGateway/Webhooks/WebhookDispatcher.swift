import CardVault
import Foundation
import KeyInPersistence
import Logging
import Vapor

/// Works the outbox: sends every due delivery, records each attempt, and schedules the next one on the backoff.
/// Several gateway processes can share one database: a delivery is claimed with a conditional update first, so
/// only one of them sends it, and a process that dies mid-attempt only delays it by the lease.
package struct WebhookDispatcher: Sendable {
    package let store: WebhookStore
    package let vault: CardVault
    package let sender: any WebhookSender
    package let logger: Logger
    package let now: @Sendable () -> Date
    /// This process, named on each lease it takes: crash recovery frees a dead process's leases at once.
    package var processID: UUID?

    /// Minutes to wait after each failed attempt; after the last, the delivery is FAILED (8 attempts in all).
    package static let retryDelayMinutes: [Int64] = [1, 4, 16, 64, 256, 1024, 4096]
    /// How long a claimed delivery stays out of other processes' reach; longer than the sender's timeout.
    package static let leaseMilliseconds: Int64 = 120_000

    /// Attempts every delivery due now (up to `limit`), concurrently. Returns how many were attempted.
    @discardableResult
    package func deliverDue(limit: Int = 50) async throws -> Int {
        let nowMilliseconds = now().epochMilliseconds
        var claimed: [(delivery: WebhookDeliveryRecord, endpoint: WebhookEndpointRecord)] = []
        for due in try await store.due(at: nowMilliseconds, limit: limit)
        where try await store.claim(due.delivery, until: nowMilliseconds + Self.leaseMilliseconds, by: processID) {
            claimed.append(due)
        }
        await withTaskGroup(of: Void.self) { group in
            for (delivery, endpoint) in claimed {
                group.addTask { await attempt(delivery, to: endpoint) }
            }
        }
        return claimed.count
    }

    private func attempt(_ delivery: WebhookDeliveryRecord, to endpoint: WebhookEndpointRecord) async {
        let startedAt = now()
        let clock = ContinuousClock()
        let began = clock.now
        var responseStatus: UInt?
        var failure: String?
        if endpoint.deletedAt != nil {
            failure = "endpoint removed"
        } else {
            do {
                let secret = try vault.openSecret(endpoint.secret)
                let body = Data(delivery.payload.utf8)
                var headers = HTTPHeaders()
                headers.add(name: .contentType, value: "application/json; charset=utf-8")
                headers.add(name: .userAgent, value: "KeyIn-Webhooks/1")
                headers.add(name: "KeyIn-Delivery-Id", value: delivery.id.uuidString.lowercased())
                headers.add(name: "KeyIn-Event-Type", value: delivery.eventType.rawValue)
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
        _ delivery: WebhookDeliveryRecord, at date: Date, status: UInt?, failure: String?, milliseconds: Int,
        endpointRemoved: Bool
    ) async {
        let succeeded = status.map { (200..<300).contains($0) } ?? false
        var delivery = delivery
        delivery.attemptCount += 1
        delivery.lastAttemptAt = date
        delivery.lastResponseStatus = status.map { Int($0) }
        delivery.lastError = failure ?? (succeeded ? nil : "HTTP \(status ?? 0)")
        if succeeded {
            delivery.status = .succeeded
            delivery.nextAttemptMilliseconds = nil
        } else if !endpointRemoved, delivery.attemptCount <= Self.retryDelayMinutes.count {
            let delay = Self.retryDelayMinutes[delivery.attemptCount - 1] * 60_000
            delivery.nextAttemptMilliseconds = now().epochMilliseconds + delay
        } else {
            delivery.status = .failed
            delivery.nextAttemptMilliseconds = nil
        }
        let attempt = WebhookAttemptRecord(
            deliveryID: delivery.id, attemptNumber: delivery.attemptCount, attemptedAt: date,
            responseStatus: status.map { Int($0) }, error: delivery.lastError, durationMilliseconds: milliseconds)
        do {
            try await store.record(attempt, delivery: delivery)
        } catch {
            // The lease runs out and the delivery is tried again: a duplicate is better than a loss, and the
            // delivery id lets the receiver drop it.
            logger.error("webhook attempt not recorded", metadata: ["deliveryId": "\(delivery.id)"])
        }
        if !succeeded {
            logger.notice(
                "webhook delivery failed",
                metadata: [
                    "deliveryId": "\(delivery.id)", "attempt": "\(delivery.attemptCount)",
                    "error": "\(delivery.lastError ?? "")",
                ])
        }
    }

    /// Why no answer came, as one of a few fixed kinds: never the error's own text, which can name addresses,
    /// ports and software of the network it reached (what a scan of the inside would learn from the delivery log).
    package static func describe(_ error: any Error) -> String {
        if let refused = error as? WebhookTargetPolicy.TargetRefused { return refused.description }
        let text = String(describing: error).lowercased()
        let kinds: [(words: [String], kind: String)] = [
            (["timeout", "timed out", "deadline"], "timed out"),
            (["refused"], "connection refused"),
            (["tls", "ssl", "certificate", "handshake"], "TLS handshake failed"),
            (["redirect"], "redirect not followed"),
            (["dns", "resolve", "lookup", "nodename", "unknown host"], "host name lookup failed"),
            (["reset", "closed", "eof"], "connection closed without an answer"),
        ]
        return kinds.first { $0.words.contains(where: text.contains) }?.kind ?? "connection failed"
    }
}
