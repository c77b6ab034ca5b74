import FluentKit
import FluentSQL
import Foundation
import KeyInCore

/// What a console member may do: an owner everything (staff and keys included), staff the rest.
package enum StaffRole: String, Sendable, Codable {
    case owner, staff
}

/// A person at a merchant who signs in to the console.
package struct StaffRecord: Sendable, Equatable {
    package let id: StaffID
    package let merchantID: MerchantID
    package let email: String
    /// bcrypt; never shown or logged.
    package let passwordHash: String
    package let role: StaffRole
    package let failedSignIns: Int
    package let lockedUntil: Date?
    package let createdAt: Date
}

/// A signed-in console session. The cookie holds a random token; only its SHA-256 is stored.
package struct ConsoleSessionRecord: Sendable, Equatable {
    package let id: UUID
    package let staffID: StaffID
    /// Sent back with every form; a request from another site cannot know it.
    package let csrfToken: String
    package let expiresAt: Date
}

/// Console members, their sessions and their password resets.
package struct StaffStore: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    package enum CreateRefusal: Error {
        /// Another member has this e-mail.
        case emailInUse
    }

    package func create(
        merchantID: MerchantID, email: String, passwordHash: String, role: StaffRole, at date: Date
    ) async throws -> StaffRecord {
        let account = StaffAccountModel()
        account.$merchant.id = merchantID.rawValue
        account.email = email
        account.passwordHash = passwordHash
        account.role = role
        account.failedSignIns = 0
        account.createdAt = date
        do {
            try await account.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw CreateRefusal.emailInUse
        }
        return StaffRecord(account)
    }

    package func account(email: String) async throws -> StaffRecord? {
        try await StaffAccountModel.query(on: database).filter(\.$email == email).first().map(StaffRecord.init)
    }

    package func account(id: StaffID) async throws -> StaffRecord? {
        try await StaffAccountModel.find(id.rawValue, on: database).map(StaffRecord.init)
    }

    /// The merchant's members, oldest first.
    package func members(of merchantID: MerchantID) async throws -> [StaffRecord] {
        try await StaffAccountModel.query(on: database).filter(\.$merchant.$id == merchantID.rawValue).sort(
            \.$createdAt
        )
        .all().map(StaffRecord.init)
    }

    /// Counts one wrong password, in one conditional update: the count goes up, and the failure that reaches
    /// `limit` locks the account until `lockedUntil` and starts the count again. An account locked at `date` is
    /// left as it is. True when the account is locked afterwards.
    package func countFailedSignIn(
        of staffID: StaffID, locksAt limit: Int, at date: Date, lockedUntil: Date
    ) async throws -> Bool {
        let reachesLimit = SQLQueryString("failed_sign_ins + 1 >= \(bind: limit)")
        let row = try await database.sql.update(StaffAccountModel.schema)
            .set(
                SQLIdentifier("failed_sign_ins"),
                to: SQLQueryString("CASE WHEN \(reachesLimit) THEN 0 ELSE failed_sign_ins + 1 END")
            )
            .set(
                SQLIdentifier("locked_until"),
                to: SQLQueryString("CASE WHEN \(reachesLimit) THEN \(bind: lockedUntil) ELSE locked_until END")
            )
            .where("id", .equal, staffID.rawValue)
            .where(SQLQueryString("(locked_until IS NULL OR locked_until <= \(bind: date))"))
            .returning("locked_until").first()
        // No row: the account was locked already.
        guard let row else { return true }
        let until = try row.decode(column: "locked_until", as: Date?.self)
        return until.map { $0 > date } ?? false
    }

    /// A right password clears the failures, unless the account is locked at `date` (guesses locked it while the
    /// password was being checked). False when it is locked.
    package func clearFailedSignIns(of staffID: StaffID, at date: Date) async throws -> Bool {
        try await database.compareAndSet(StaffAccountModel.schema) {
            $0.set("failed_sign_ins", to: 0).set("locked_until", to: SQLLiteral.null)
                .where("id", .equal, staffID.rawValue)
                .where(SQLQueryString("(locked_until IS NULL OR locked_until <= \(bind: date))"))
        }
    }

    /// Removes the merchant's member with all their sessions and reset links. False when there is no such member.
    package func remove(_ staffID: StaffID, of merchantID: MerchantID) async throws -> Bool {
        guard
            try await StaffAccountModel.query(on: database).filter(\.$id == staffID.rawValue)
                .filter(\.$merchant.$id == merchantID.rawValue).first() != nil
        else { return false }
        try await database.transaction { database in
            try await ConsoleSessionModel.query(on: database).filter(\.$staff.$id == staffID.rawValue).delete()
            try await PasswordResetModel.query(on: database).filter(\.$staff.$id == staffID.rawValue).delete()
            try await StaffAccountModel.query(on: database).filter(\.$id == staffID.rawValue).delete()
        }
        return true
    }

    // MARK: Sessions

    package func openSession(
        staffID: StaffID, tokenDigest: String, csrfToken: String, at date: Date, expiresAt: Date
    ) async throws -> ConsoleSessionRecord {
        let session = ConsoleSessionModel()
        session.$staff.id = staffID.rawValue
        session.tokenHash = tokenDigest
        session.csrfToken = csrfToken
        session.createdAt = date
        session.expiresAt = expiresAt
        try await session.create(on: database)
        return ConsoleSessionRecord(session)
    }

    /// The session with this token digest and its member, while it lasts at `date`.
    package func session(tokenDigest: String, at date: Date) async throws -> (ConsoleSessionRecord, StaffRecord)? {
        guard
            let session = try await ConsoleSessionModel.query(on: database).filter(\.$tokenHash == tokenDigest)
                .filter(\.$expiresAt > date).with(\.$staff).first()
        else { return nil }
        return (ConsoleSessionRecord(session), StaffRecord(session.staff))
    }

    /// Which of these sessions still last at `date`.
    package func liveSessions(among ids: Set<UUID>, at date: Date) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        return Set(
            try await ConsoleSessionModel.query(on: database).filter(\.$id ~~ ids).filter(\.$expiresAt > date).all()
                .compactMap(\.id))
    }

    package func endSession(tokenDigest: String) async throws {
        try await ConsoleSessionModel.query(on: database).filter(\.$tokenHash == tokenDigest).delete()
    }

    // MARK: Password resets

    /// Reset links made for the account since `date`.
    package func resets(of staffID: StaffID, since date: Date) async throws -> Int {
        try await PasswordResetModel.query(on: database).filter(\.$staff.$id == staffID.rawValue)
            .filter(\.$createdAt > date).count()
    }

    package func addReset(staffID: StaffID, tokenDigest: String, at date: Date, expiresAt: Date) async throws {
        let reset = PasswordResetModel()
        reset.$staff.id = staffID.rawValue
        reset.tokenHash = tokenDigest
        reset.createdAt = date
        reset.expiresAt = expiresAt
        try await reset.create(on: database)
    }

    /// The reset a link's token digest opens and its member, while it is unused and unexpired at `date`.
    package func pendingReset(tokenDigest: String, at date: Date) async throws -> (id: UUID, staff: StaffRecord)? {
        guard
            let reset = try await PasswordResetModel.query(on: database).filter(\.$tokenHash == tokenDigest)
                .with(\.$staff).first(),
            reset.usedAt == nil, reset.expiresAt > date, let id = reset.id
        else { return nil }
        return (id, StaffRecord(reset.staff))
    }

    /// Why `replacePassword` wrote nothing.
    package enum ReplaceRefusal: Error {
        /// The reset link was used by someone else first.
        case resetSpent
    }

    /// Gives an account a new password hash with all that follows from it, in one transaction: with `spendingReset`
    /// that link is claimed first (refused when it was used meanwhile); every reset link still pending is spent;
    /// every session ends but `keepingSession`; `liftingLock` clears the failures and the lock.
    package func replacePassword(
        of staffID: StaffID, hash: String, liftingLock: Bool, keepingSession: UUID?, spendingReset: UUID?, at date: Date
    ) async throws {
        try await database.transaction { database in
            if let spendingReset {
                let spent = try await database.compareAndSet(PasswordResetModel.schema) {
                    $0.set("used_at", to: date).where("id", .equal, spendingReset)
                        .where("used_at", .is, SQLLiteral.null)
                }
                guard spent else { throw ReplaceRefusal.resetSpent }
            }
            var update = StaffAccountModel.query(on: database).filter(\.$id == staffID.rawValue).set(
                \.$passwordHash, to: hash)
            if liftingLock { update = update.set(\.$failedSignIns, to: 0).set(\.$lockedUntil, to: nil) }
            try await update.update()
            try await PasswordResetModel.query(on: database).filter(\.$staff.$id == staffID.rawValue).filter(
                \.$usedAt == nil
            )
            .set(\.$usedAt, to: date).update()
            var sessions = ConsoleSessionModel.query(on: database).filter(\.$staff.$id == staffID.rawValue)
            if let keepingSession { sessions = sessions.filter(\.$id != keepingSession) }
            try await sessions.delete()
        }
    }
}

extension StaffRecord {
    init(_ model: StaffAccountModel) {
        self.init(
            id: StaffID(model.id ?? UUID()), merchantID: MerchantID(model.$merchant.id), email: model.email,
            passwordHash: model.passwordHash, role: model.role, failedSignIns: model.failedSignIns,
            lockedUntil: model.lockedUntil, createdAt: model.createdAt)
    }
}

extension ConsoleSessionRecord {
    init(_ model: ConsoleSessionModel) {
        self.init(
            id: model.id ?? UUID(), staffID: StaffID(model.$staff.id), csrfToken: model.csrfToken,
            expiresAt: model.expiresAt)
    }
}
