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
            await reversalQueued(trace: trace, paymentID: paymentID, note: "망취소 요청")
        default:
            await write(paymentID, "RECEIVED", mti, trace, code: error.code.rawValue, note: nil)
        }
    }

    /// A reversal (0400) the link now owes and repeats until answered; its 0410 is added when it settles.
    func reversalQueued(trace: TransactionTrace, paymentID: UUID, note: String) async {
        await write(paymentID, "REVERSAL", "0400", trace, code: nil, note: note + " (응답이 올 때까지 반복)")
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
        message.transmissionDateTime = trace.transmissionDateTime
        message.terminalID = trace.terminalID
        message.code = code
        message.note = note
        do {
            try await message.create(on: database)
        } catch {
            logger.warning("network message not logged", metadata: ["paymentId": "\(paymentID)"])
        }
    }
}

extension NetworkMessageLog {
    /// The rows in the order of the conversation. Time order, except that a reversal's answer always follows the
    /// reversal: the link sends it the moment the request times out, so its 0410 can be written a moment before the
    /// gateway notes the silence and the reversal.
    static func conversationOrder(_ messages: [NetworkMessageModel]) -> [NetworkMessageModel] {
        var ordered = messages.sorted { $0.at < $1.at }
        for answer in ordered where answer.direction == "REVERSAL_SETTLED" {
            guard let answerIndex = ordered.firstIndex(where: { $0 === answer }),
                let reversalIndex = ordered.lastIndex(where: { $0.direction == "REVERSAL" && $0.stan == answer.stan }),
                reversalIndex > answerIndex
            else { continue }
            ordered.remove(at: answerIndex)
            ordered.insert(answer, at: reversalIndex)
        }
        return ordered
    }
}
