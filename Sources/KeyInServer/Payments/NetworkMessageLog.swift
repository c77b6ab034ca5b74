import CardNetworkLink
import Fluent
import Foundation
import KeyInCore
import Logging

/// Writes a payment's card-network conversation for the console's timeline. Best effort: the timeline must never
/// stop a payment, so a failed write is logged and the payment goes on.
struct NetworkMessageLog: Sendable {
    let database: any Database
    let logger: Logger
    let now: @Sendable () -> Date

    func sent(_ mti: String, trace: TransactionTrace, paymentID: UUID, note: String) async {
        await write(paymentID, "SENT", mti, trace, code: nil, note: note)
    }

    func answered(_ mti: String, trace: TransactionTrace, paymentID: UUID, approvalCode: String?) async {
        await write(paymentID, "RECEIVED", mti, trace, code: "00", note: approvalCode.map { "승인번호 \($0)" })
    }

    /// A refusal or a fault. Silence and a broken connection mean the link reverses the request (0400).
    func failed(_ mti: String, trace: TransactionTrace, paymentID: UUID, error: KeyInError) async {
        switch error.code {
        case .cardCompanyResponseTimeout, .cardCompanyConnectionLost:
            await write(paymentID, "NO_ANSWER", mti, trace, code: error.code.rawValue, note: nil)
            await write(paymentID, "REVERSAL", "0400", trace, code: nil, note: "망취소 요청 (응답이 올 때까지 반복)")
        default:
            await write(paymentID, "RECEIVED", mti, trace, code: error.code.rawValue, note: nil)
        }
    }

    private func write(
        _ paymentID: UUID, _ direction: String, _ mti: String, _ trace: TransactionTrace, code: String?, note: String?
    ) async {
        let message = NetworkMessageModel()
        message.$payment.id = paymentID
        message.at = now()
        message.direction = direction
        message.mti = mti
        message.stan = trace.systemTraceAuditNumber
        message.code = code
        message.note = note
        do {
            try await message.create(on: database)
        } catch {
            logger.warning("network message not logged", metadata: ["paymentId": "\(paymentID)"])
        }
    }
}
