import CardVault
import Fluent
import Foundation
import KeyInCore
import Vapor

/// Makes a POST safe to repeat: the same `Idempotency-Key` with the same request returns the stored response; a
/// repeat while the first is still running gets IDEMPOTENT_REQUEST_PROCESSING; the same key with a different
/// request is refused with IDEMPOTENT_REQUEST_CONFLICT. Records keep a keyed hash of the request, never the
/// request, for at least 15 days.
struct IdempotencyGuard {
    static let retention: TimeInterval = 15 * 24 * 3600
    static let replayHeader = "Idempotent-Replayed"

    let vault: CardVault

    /// With `withheldFields`, those top-level JSON fields of the response are left out of the stored copy (a
    /// webhook secret is shown when made, and is not to be kept in clear in the idempotency store); a replay then
    /// answers without them.
    func run(_ request: Request, withheldFields: Set<String> = [], _ body: () async throws -> Response) async throws
        -> Response
    {
        guard let key = request.headers.first(name: "Idempotency-Key") else { return try await body() }
        guard (1...300).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw KeyInError(.invalidIdempotencyKey, param: "Idempotency-Key")
        }
        let merchantID = try request.merchantID
        var signed = Data("\(request.method.rawValue) \(request.url.path)\n".utf8)
        if let bytes = request.body.data { signed.append(Self.canonical(Data(bytes.readableBytesView))) }
        let digest = vault.requestDigest(signed)

        let record = IdempotencyRecordModel()
        record.merchantID = merchantID
        record.key = key
        record.requestDigest = digest
        record.state = "processing"
        record.createdAt = Date()
        record.expiresAt = Date().addingTimeInterval(Self.retention)
        do {
            try await record.create(on: request.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return try await answerRepeat(
                request, merchantID: merchantID, key: key, digest: digest, withheldFields: withheldFields, body: body)
        }

        let response: Response
        do {
            response = try await body()
        } catch {
            response = ErrorRendering.response(
                for: ErrorRendering.catalogError(for: error, logger: request.logger), request: request)
        }
        record.state = "completed"
        record.responseStatus = Int(response.status.code)
        record.responseBody = Self.withholding(withheldFields, from: response.body.string)
        try await record.update(on: request.db)
        return response
    }

    static func withholding(_ fields: Set<String>, from body: String?) -> String? {
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
    static func canonical(_ body: Data) -> Data {
        guard let object = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]),
            let sorted = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
        else { return body }
        return sorted
    }

    private func answerRepeat(
        _ request: Request, merchantID: UUID, key: String, digest: String, withheldFields: Set<String>,
        body: () async throws -> Response
    ) async throws -> Response {
        guard
            let existing = try await IdempotencyRecordModel.query(on: request.db)
                .filter(\.$merchantID == merchantID).filter(\.$key == key).first()
        else { throw KeyInError(.idempotentRequestProcessing) }
        if existing.expiresAt < Date() {
            // Past its retention: the key is free again.
            try await existing.delete(on: request.db)
            return try await run(request, withheldFields: withheldFields, body)
        }
        guard existing.requestDigest == digest else {
            throw KeyInError(.idempotentRequestConflict, param: "Idempotency-Key")
        }
        guard existing.state == "completed", let status = existing.responseStatus, let stored = existing.responseBody
        else {
            throw KeyInError(.idempotentRequestProcessing)
        }
        let response = Response(status: HTTPResponseStatus(statusCode: status), body: .init(string: stored))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: Self.replayHeader, value: "true")
        return response
    }
}
