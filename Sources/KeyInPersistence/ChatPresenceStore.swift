import FluentKit
import Foundation
import KeyInCore

/// Who an open chat socket belongs to.
package enum ChatRole: String, Sendable, Codable {
    case staff = "STAFF"
    case customer = "CUSTOMER"
}

/// One row per open live-chat socket, so every `keyin serve` on a shared database knows who is online.
package struct ChatPresenceStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    package func join(
        connection: UUID, role: ChatRole, merchantID: MerchantID, inquiryID: InquiryID?, processID: UUID, at date: Date
    ) async throws {
        let row = ChatPresenceModel()
        row.id = connection
        row.role = role
        row.merchantID = merchantID.rawValue
        row.inquiryID = inquiryID?.rawValue
        row.processID = processID
        row.seenAt = date
        try await row.create(on: database)
    }

    package func leave(connection: UUID) async throws {
        try await ChatPresenceModel.query(on: database).filter(\.$id == connection).delete()
    }

    /// Marks `open` as seen at `date`; drops this process's rows seen before `listedAt` for any other socket; and
    /// forgets every row not seen since `forgetBefore`.
    package func refresh(
        processID: UUID, open: [UUID], listedAt: Date, at date: Date, forgetBefore: Date
    ) async throws {
        if !open.isEmpty {
            try await ChatPresenceModel.query(on: database).filter(\.$id ~~ open).set(\.$seenAt, to: date).update()
        }
        try await ChatPresenceModel.query(on: database).filter(\.$processID == processID).filter(\.$id !~ open)
            .filter(\.$seenAt < listedAt).delete()
        try await ChatPresenceModel.query(on: database).filter(\.$seenAt < forgetBefore).delete()
    }

    package func leaveAll(processID: UUID) async throws {
        try await ChatPresenceModel.query(on: database).filter(\.$processID == processID).delete()
    }

    /// Whether a staff member of the merchant has a socket seen since `freshSince`.
    package func isStaffOnline(merchantID: MerchantID, freshSince: Date) async throws -> Bool {
        try await ChatPresenceModel.query(on: database).filter(\.$seenAt > freshSince).filter(\.$role == .staff)
            .filter(\.$merchantID == merchantID.rawValue).count() > 0
    }

    /// Whether the customer of the inquiry has a socket seen since `freshSince`.
    package func isCustomerConnected(inquiryID: InquiryID, freshSince: Date) async throws -> Bool {
        try await ChatPresenceModel.query(on: database).filter(\.$seenAt > freshSince).filter(\.$role == .customer)
            .filter(\.$inquiryID == inquiryID.rawValue).count() > 0
    }
}
