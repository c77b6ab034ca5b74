import Foundation
import ISO8583
import KeyInCore

/// Turns a card company's answer into an approval or a catalog error.
enum ResponseMapping {
    enum Outcome {
        case approved(CardApproval)
        case declined(KeyInError)
        /// Approved, but the answer lacks what an approval must carry; it is reversed to be safe.
        case unusableApproval(KeyInError)
    }

    /// `sentReference`: element 37 as the request carried it, which an approval that does not name its own keeps
    /// (a host that echoes it and one that leaves it out are both fine; one that assigns its own is followed).
    static func outcome(of response: ISO8583Message, trace: TransactionTrace, sentReference: String? = nil)
        -> Outcome
    {
        guard let code = response[.responseCode] else {
            return .unusableApproval(KeyInError(.cardCompanyFormatError, detail: "answer without element 39"))
        }
        if code == CardCompanyResponseCode.approved {
            guard let approvalCode = response[.approvalCode],
                let rrn = response[.retrievalReferenceNumber] ?? sentReference
            else {
                return .unusableApproval(
                    KeyInError(.cardCompanyFormatError, detail: "approval without element 38, or 37 on neither side"))
            }
            return .approved(CardApproval(approvalCode: approvalCode, retrievalReferenceNumber: rrn, trace: trace))
        }
        let maintenanceEnd = response.additionalData?[.maintenanceEnd].flatMap(parseSeoulTime)
        let errorCode =
            CardCompanyResponseCode.errorCode(for: code, duringMaintenance: maintenanceEnd != nil)
            ?? .cardCompanyUnknownResponse
        return .declined(KeyInError(errorCode, retryAt: maintenanceEnd, detail: "response code \(code)"))
    }

    /// `YYMMDDhhmm` in Asia/Seoul, as element 48 sub-element 08 carries it.
    static func parseSeoulTime(_ text: String) -> Date? {
        let digits = text.compactMap(\.wholeNumberValue)
        guard text.count == 10, digits.count == 10 else { return nil }
        func pair(_ index: Int) -> Int { digits[index] * 10 + digits[index + 1] }
        var components = DateComponents()
        components.year = 2000 + pair(0)
        components.month = pair(2)
        components.day = pair(4)
        components.hour = pair(6)
        components.minute = pair(8)
        return SeoulTime.calendar.date(from: components)
    }

}
