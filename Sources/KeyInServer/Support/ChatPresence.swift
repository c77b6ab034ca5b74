import Fluent
import Foundation
import KeyInPersistence

/// Who is in live chat, across every `keyin serve` on the database: each open socket has a row, refreshed by its
/// process every few seconds and removed when the socket closes. A process that dies leaves rows that stop
/// counting once they are older than `freshSeconds`.
struct ChatPresence: Sendable {
    let database: any Database
    let now: @Sendable () -> Date

    static let freshSeconds: TimeInterval = 30
    static let refreshSeconds: TimeInterval = 10

    enum Role: String {
        case staff = "STAFF"
        case customer = "CUSTOMER"
    }

    func join(connection: UUID, role: Role, merchantID: UUID, inquiryID: UUID?, processID: UUID) async throws {
        let row = ChatPresenceModel()
        row.id = connection
        row.role = role.rawValue
        row.merchantID = merchantID
        row.inquiryID = inquiryID
        row.processID = processID
        row.seenAt = now()
        try await row.create(on: database)
    }

    func leave(connection: UUID) async throws {
        try await ChatPresenceModel.query(on: database).filter(\.$id == connection).delete()
    }

    /// Marks the connections open here (as listed at `listedAt`) as still there, drops this process's older rows
    /// for any other (a socket that closed before its row was written; a socket that opened after the listing has
    /// a newer row and stays), and forgets the rows of processes long gone.
    func refresh(processID: UUID, open: [UUID], listedAt: Date) async throws {
        if !open.isEmpty {
            try await ChatPresenceModel.query(on: database).filter(\.$id ~~ open).set(\.$seenAt, to: now()).update()
        }
        try await ChatPresenceModel.query(on: database).filter(\.$processID == processID).filter(\.$id !~ open)
            .filter(\.$seenAt < listedAt).delete()
        try await ChatPresenceModel.query(on: database)
            .filter(\.$seenAt < now().addingTimeInterval(-10 * Self.freshSeconds)).delete()
    }

    /// At shutdown: this process's sockets are closing.
    func leaveAll(processID: UUID) async throws {
        try await ChatPresenceModel.query(on: database).filter(\.$processID == processID).delete()
    }

    func isStaffOnline(merchantID: UUID) async throws -> Bool {
        try await fresh().filter(\.$role == Role.staff.rawValue).filter(\.$merchantID == merchantID).count() > 0
    }

    func isCustomerConnected(inquiryID: UUID) async throws -> Bool {
        try await fresh().filter(\.$role == Role.customer.rawValue).filter(\.$inquiryID == inquiryID).count() > 0
    }

    private func fresh() -> QueryBuilder<ChatPresenceModel> {
        ChatPresenceModel.query(on: database).filter(\.$seenAt > now().addingTimeInterval(-Self.freshSeconds))
    }
}
