import CardVault
import Foundation
import KeyInCore
import KeyInGateway
import KeyInPersistence
import Vapor

/// Makes a POST safe to repeat: the same `Idempotency-Key` with the same request returns the stored response; a
/// repeat while the first is still running gets IDEMPOTENT_REQUEST_PROCESSING; the same key with a different
/// request is refused with IDEMPOTENT_REQUEST_CONFLICT. Records keep a keyed hash of the request, never the
/// request, for at least 15 days. A key-in payment whose process died before it answered is answered from the
/// payment once crash recovery has settled it.
package struct IdempotencyGuard {
    package static let retention: TimeInterval = 15 * 24 * 3600
    package static let replayHeader = "Idempotent-Replayed"

    package let store: IdempotencyStore
    /// Where a repeat of a key-in payment finds the payment its first request started.
    package let payments: PaymentStore
    package let vault: CardVault
    package let now: @Sendable () -> Date
    /// This process, recorded on each claim (`ProcessRegistry`).
    package let processID: UUID

    /// Where a key is unique. The merchant's own calls share one space per mode (a test key's `Idempotency-Key` is
    /// never a live key's); a hosted payment page's customers each get theirs, so a key a customer sends can never
    /// be one the merchant later uses (for a cancel, say).
    package enum Namespace: Sendable {
        case merchant(PaymentMode)
        case paymentPage(PaymentLinkKey)

        /// The key as stored. A space separates the parts: keys that callers send never contain one. Live keys are
        /// stored as sent, as they were before modes existed, so no live key in its retention is read as new.
        func stored(_ key: String) -> String {
            switch self {
            case .merchant(.live): key
            case .merchant(.test): "test \(key)"
            case .paymentPage(let link): "page \(link.rawValue) \(key)"
            }
        }
    }

    /// The claim this request makes on its key; nil without a key.
    package func claim(
        for request: Request, merchantID: MerchantID, namespace: Namespace
    ) throws -> IdempotencyClaim? {
        guard let key = request.headers.first(name: "Idempotency-Key") else { return nil }
        guard (1...300).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw KeyInError(.invalidIdempotencyKey, param: "Idempotency-Key")
        }
        var signed = Data("\(request.method.rawValue) \(request.url.path)\n".utf8)
        if let bytes = request.body.data { signed.append(Self.canonical(Data(bytes.readableBytesView))) }
        let at = now()
        var claim = IdempotencyClaim(
            merchantID: merchantID, key: namespace.stored(key), requestDigest: vault.requestDigest(signed),
            createdAt: at,
            expiresAt: at.addingTimeInterval(Self.retention))
        claim.processID = processID
        return claim
    }

    /// Claims the key, runs `body`, and stores its answer. With `withheldFields`, those top-level JSON fields of the
    /// response are left out of the stored copy (a webhook secret is shown when made, and is not to be kept in
    /// clear in the idempotency store); a replay then answers without them.
    package func run(_ request: Request, withheldFields: Set<String> = [], _ body: () async throws -> Response)
        async throws
        -> Response
    {
        guard
            let claim = try claim(
                for: request, merchantID: try request.merchantID, namespace: .merchant(try request.paymentMode))
        else { return try await body() }
        guard try await store.claim(claim) else {
            return try await answerRepeat(request, claim: claim) {
                try await run(request, withheldFields: withheldFields, body)
            }
        }
        let response: Response
        do {
            response = try await body()
        } catch {
            response = ErrorRendering.response(
                for: ErrorRendering.catalogError(for: error, logger: request.logger), request: request)
        }
        try await store.complete(
            claim,
            with: StoredResponse(
                status: Int(response.status.code),
                body: Self.withholding(withheldFields, from: response.body.string) ?? ""))
        return response
    }

    /// For a key-in payment, whose own two transactions carry the key: `body` writes the claim with the payment's
    /// first row and the answer with its outcome. A request refused before it wrote anything (bad card details, a
    /// duplicate order) has its refusal stored here as the answer. `answer` makes a settled payment's answer, for a
    /// repeat of a request whose process died before it answered.
    package func runWithinPayment(
        _ request: Request, merchantID: MerchantID, namespace: Namespace,
        answer: (PaymentService.Outcome) -> StoredResponse,
        _ body: (IdempotencyClaim?) async throws -> Response
    ) async throws -> Response {
        guard let claim = try claim(for: request, merchantID: merchantID, namespace: namespace) else {
            return try await body(nil)
        }
        let settled = { (paymentID: UUID) async throws -> StoredResponse? in
            try await payments.payment(id: paymentID).flatMap(PaymentService.Outcome.init(settled:)).map(answer)
        }
        do {
            return try await body(claim)
        } catch PaymentStore.OpenRefusal.idempotencyKeyTaken {
            return try await answerRepeat(request, claim: claim, settled: settled) {
                try await runWithinPayment(request, merchantID: merchantID, namespace: namespace, answer: answer, body)
            }
        } catch let answered as PaymentService.AnsweredRequest {
            return ErrorRendering.response(answered.answer)
        } catch {
            // Refused before its first write (bad card details, a duplicate order): the refusal is the answer, stored
            // with a claim of its own unless another request holds the key.
            let refusal = ErrorRendering.stored(
                ErrorRendering.catalogError(for: error, logger: request.logger), language: request.language, now: now())
            if try await store.claimCompleted(claim, with: refusal) {
                return ErrorRendering.response(refusal)
            }
            return try await answerRepeat(request, claim: claim, settled: settled) {
                try await runWithinPayment(request, merchantID: merchantID, namespace: namespace, answer: answer, body)
            }
        }
    }

    package static func withholding(_ fields: Set<String>, from body: String?) -> String? {
        guard !fields.isEmpty, let body,
            var object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        else { return body }
        for field in fields { object.removeValue(forKey: field) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return body
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// JSON with its keys sorted, so the same request sent with its fields in another order is still the same
    /// request; anything that is not JSON as it is.
    package static func canonical(_ body: Data) -> Data {
        guard let object = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]),
            let sorted = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
        else { return body }
        return sorted
    }

    /// The key is taken: replay its stored answer, refuse a different request, or say the first is still running.
    /// A key past its retention is freed and the request runs as new (`again`). A key-in payment's key without an
    /// answer whose payment is settled (its process died, and recovery settled the payment) gets the payment's
    /// answer from `settled`, stored from then on.
    private func answerRepeat(
        _ request: Request, claim: IdempotencyClaim,
        settled: (UUID) async throws -> StoredResponse? = { _ in nil }, again: () async throws -> Response
    ) async throws -> Response {
        guard let existing = try await store.existing(merchantID: claim.merchantID, key: claim.key) else {
            throw KeyInError(.idempotentRequestProcessing)
        }
        if existing.expiresAt < now() {
            try await store.remove(merchantID: claim.merchantID, key: claim.key)
            return try await again()
        }
        guard existing.requestDigest == claim.requestDigest else {
            throw KeyInError(.idempotentRequestConflict, param: "Idempotency-Key")
        }
        var answer = existing.response
        // A first request claimed in this process is still running here (a process that lost one has died): only
        // another process's claim may have been settled by recovery.
        if answer == nil, existing.processID != processID, let paymentID = existing.paymentID,
            let fromPayment = try await settled(paymentID)
        {
            // Stored only if still unanswered: an answer the first request stored meanwhile stands.
            try await store.complete(claim, with: fromPayment)
            answer = try await store.existing(merchantID: claim.merchantID, key: claim.key)?.response ?? fromPayment
        }
        guard let stored = answer else { throw KeyInError(.idempotentRequestProcessing) }
        let response = Response(status: HTTPResponseStatus(statusCode: stored.status), body: .init(string: stored.body))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: Self.replayHeader, value: "true")
        return response
    }
}
