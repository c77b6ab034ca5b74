import CardNetworkLink
import Foundation
import KeyInCore
import KeyInPersistence

/// The lines of a payment's conversation with its card company, as the console's timeline shows them: what was
/// sent (MTI, STAN), what came back (response, catalog code), and what the link did about silence (a reversal).
/// Written with the payment change each belongs to.
package enum NetworkConversation {
    package static func sent(_ mti: String, trace: TransactionTrace, note: String, at date: Date)
        -> NetworkMessageRecord
    {
        NetworkMessageRecord(at: date, direction: .sent, mti: mti, trace: trace, code: nil, note: note)
    }

    package static func answered(_ mti: String, trace: TransactionTrace, approvalCode: String?, at date: Date)
        -> NetworkMessageRecord
    {
        NetworkMessageRecord(
            at: date, direction: .received, mti: mti, trace: trace, code: "00", note: approvalCode.map { "승인번호 \($0)" })
    }

    /// A refusal or a fault. Silence and a broken connection mean the link reverses the request (0400).
    package static func failed(_ mti: String, trace: TransactionTrace, error: KeyInError, at date: Date)
        -> [NetworkMessageRecord]
    {
        switch error.code {
        case .cardCompanyResponseTimeout, .cardCompanyConnectionLost:
            [
                NetworkMessageRecord(
                    at: date, direction: .noAnswer, mti: mti, trace: trace, code: error.code.rawValue, note: nil),
                reversalQueued(trace: trace, note: "망취소 요청", at: date),
            ]
        default:
            [
                NetworkMessageRecord(
                    at: date, direction: .received, mti: mti, trace: trace, code: error.code.rawValue, note: nil)
            ]
        }
    }

    /// A reversal (0400) the link now owes and repeats until answered; its 0410 is added when it settles
    /// (`DatabaseReversalStore.settle`).
    package static func reversalQueued(trace: TransactionTrace, note: String, at date: Date) -> NetworkMessageRecord {
        NetworkMessageRecord(
            at: date, direction: .reversal, mti: "0400", trace: trace, code: nil, note: note + " (응답이 올 때까지 반복)")
    }

    /// The lines in the order of the conversation. Time order, except that a reversal's answer always follows the
    /// reversal: the link sends it the moment the request times out, so its 0410 can be written a moment before the
    /// gateway notes the silence and the reversal.
    package static func ordered(_ messages: [NetworkMessageRecord]) -> [NetworkMessageRecord] {
        // Lines written together (a silence and its reversal) share their time: they keep the conversation's order.
        let rank: [NetworkMessageRecord.Direction: Int] = [
            .sent: 0, .received: 1, .noAnswer: 1, .reversal: 2, .reversalSettled: 3,
        ]
        var ordered = messages.sorted { ($0.at, rank[$0.direction] ?? 0) < ($1.at, rank[$1.direction] ?? 0) }
        var index = 0
        while index < ordered.count {
            let answer = ordered[index]
            if answer.direction == .reversalSettled,
                let reversalIndex = ordered.lastIndex(where: { $0.direction == .reversal && $0.stan == answer.stan }),
                reversalIndex > index
            {
                ordered.remove(at: index)
                ordered.insert(answer, at: reversalIndex)
                continue
            }
            index += 1
        }
        return ordered
    }
}
