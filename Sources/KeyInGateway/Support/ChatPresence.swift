import Foundation
import KeyInCore
import KeyInPersistence

/// Who is in live chat, across every `keyin serve` on the database: each open socket has a row, refreshed by its
/// process every few seconds and removed when the socket closes. A process that dies leaves rows that stop
/// counting once they are older than `freshSeconds`.
package struct ChatPresence: Sendable {
    package let store: ChatPresenceStore
    package let now: @Sendable () -> Date

    package static let freshSeconds: TimeInterval = 30
    package static let refreshSeconds: TimeInterval = 10

    package typealias Role = ChatRole

    package func join(connection: UUID, role: Role, merchantID: MerchantID, inquiryID: InquiryID?, processID: UUID)
        async throws
    {
        try await store.join(
            connection: connection, role: role, merchantID: merchantID, inquiryID: inquiryID, processID: processID,
            at: now())
    }

    package func leave(connection: UUID) async throws {
        try await store.leave(connection: connection)
    }

    /// Marks the connections open here (as listed at `listedAt`) as still there, drops this process's older rows
    /// for any other (a socket that closed before its row was written; a socket that opened after the listing has
    /// a newer row and stays), and forgets the rows of processes long gone.
    package func refresh(processID: UUID, open: [UUID], listedAt: Date) async throws {
        try await store.refresh(
            processID: processID, open: open, listedAt: listedAt, at: now(),
            forgetBefore: now().addingTimeInterval(-10 * Self.freshSeconds))
    }

    /// At shutdown: this process's sockets are closing.
    package func leaveAll(processID: UUID) async throws {
        try await store.leaveAll(processID: processID)
    }

    package func isStaffOnline(merchantID: MerchantID) async throws -> Bool {
        try await store.isStaffOnline(merchantID: merchantID, freshSince: now().addingTimeInterval(-Self.freshSeconds))
    }

    package func isCustomerConnected(inquiryID: InquiryID) async throws -> Bool {
        try await store.isCustomerConnected(
            inquiryID: inquiryID, freshSince: now().addingTimeInterval(-Self.freshSeconds))
    }
}
