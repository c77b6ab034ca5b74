import Crypto
import Fluent
import FluentSQL
import Foundation
import KeyInCore
import KeyInPersistence
import Vapor

/// Console sign-in: staff accounts with bcrypt passwords, sessions whose cookie token is stored only as a hash,
/// and a lock after repeated failures.
struct StaffAccounts: Sendable {
    let database: any Database
    let now: @Sendable () -> Date

    enum Role: String, Sendable {
        case owner, staff
    }

    static let maximumFailures = 5
    static let lockSeconds: TimeInterval = 15 * 60
    static let sessionSeconds: TimeInterval = 8 * 3600
    static let minimumPasswordLength = 10

    func create(merchantID: UUID, email: String, password: String, role: Role) async throws -> StaffAccountModel {
        let email = Self.normalized(email)
        guard email.contains("@"), email.count <= 100 else { throw KeyInError(.invalidRequest, param: "email") }
        try Self.checkNewPassword(password)
        let account = StaffAccountModel()
        account.$merchant.id = merchantID
        account.email = email
        account.passwordHash = try Bcrypt.hash(password, cost: 10)
        account.role = role.rawValue
        account.failedSignIns = 0
        account.createdAt = now()
        do {
            try await account.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw KeyInError(.invalidRequest, param: "email", detail: "already in use")
        }
        return account
    }

    /// Checks the password and opens a session. A wrong e-mail and a wrong password fail alike; the fifth failure
    /// in a row locks the account for 15 minutes (a locked account refuses even the right password).
    func signIn(email: String, password: String) async throws -> (token: String, session: ConsoleSessionModel) {
        guard let account = try await account(email: email) else {
            // The same work as a real check, so timing does not tell which e-mails exist.
            _ = try? Bcrypt.verify(password, created: Self.unknownAccountHash)
            throw KeyInError(.invalidLogin)
        }
        try await verify(password, of: account)
        let token = SecretToken.random(bytes: 32)
        let session = ConsoleSessionModel()
        session.$staff.id = try account.requireID()
        session.tokenHash = SecretToken.digest(token)
        session.csrfToken = SecretToken.random(bytes: 16)
        session.createdAt = now()
        session.expiresAt = now().addingTimeInterval(Self.sessionSeconds)
        try await session.create(on: database)
        return (token, session)
    }

    /// Checks a password; a wrong one counts towards the lock (the fifth in a row locks the account for 15 minutes,
    /// and a locked account refuses even the right password). The right one clears the count.
    private func verify(_ password: String, of account: StaffAccountModel) async throws {
        if let lockedUntil = account.lockedUntil, lockedUntil > now() { throw KeyInError(.accountLocked) }
        guard (try? Bcrypt.verify(password, created: account.passwordHash)) == true else {
            account.failedSignIns += 1
            if account.failedSignIns >= Self.maximumFailures {
                account.lockedUntil = now().addingTimeInterval(Self.lockSeconds)
                account.failedSignIns = 0
                try await account.update(on: database)
                throw KeyInError(.accountLocked)
            }
            try await account.update(on: database)
            throw KeyInError(.invalidLogin)
        }
        account.failedSignIns = 0
        account.lockedUntil = nil
        try await account.update(on: database)
    }

    private func account(email: String) async throws -> StaffAccountModel? {
        try await StaffAccountModel.query(on: database).filter(\.$email == Self.normalized(email)).first()
    }

    // MARK: Changing and resetting passwords

    static let resetSeconds: TimeInterval = 30 * 60
    static let maximumPasswordLength = 128
    static let maximumResetsPerWindow = 3

    /// A signed-in member changes their password, proving the current one (wrong guesses count towards the lock).
    /// Their other sessions end and pending reset links are spent: whoever else knew the old password is signed out.
    func changePassword(staffID: UUID, keepingSession sessionID: UUID, current: String, new: String) async throws {
        guard let account = try await StaffAccountModel.find(staffID, on: database) else {
            throw KeyInError(.sessionExpired)
        }
        try await verify(current, of: account)
        try await replacePassword(of: account, with: new, keepingSession: sessionID, liftingLock: false)
    }

    /// Starts a reset for the account with this e-mail, if there is one: a one-use token for the link, valid for 30
    /// minutes. Nil for an unknown e-mail (or after three links in half an hour); callers must answer alike either
    /// way.
    func beginReset(email: String) async throws -> (token: String, account: StaffAccountModel)? {
        guard let account = try await account(email: email) else { return nil }
        // A few links per half hour are plenty; more would only let someone flood the member's mailbox.
        let recent = try await PasswordResetModel.query(on: database).filter(\.$staff.$id == account.requireID())
            .filter(\.$createdAt > now().addingTimeInterval(-Self.resetSeconds)).count()
        guard recent < Self.maximumResetsPerWindow else { return nil }
        let token = SecretToken.random(bytes: 32)
        let reset = PasswordResetModel()
        reset.$staff.id = try account.requireID()
        reset.tokenHash = SecretToken.digest(token)
        reset.createdAt = now()
        reset.expiresAt = now().addingTimeInterval(Self.resetSeconds)
        try await reset.create(on: database)
        return (token, account)
    }

    /// The reset a link's token opens, while it is unused and unexpired.
    func pendingReset(token: String) async throws -> PasswordResetModel {
        guard
            let reset = try await PasswordResetModel.query(on: database).filter(
                \.$tokenHash == SecretToken.digest(token)
            )
            .with(\.$staff).first(),
            reset.usedAt == nil, reset.expiresAt > now()
        else { throw KeyInError(.invalidPasswordResetLink) }
        return reset
    }

    /// Sets the new password through a reset link: the link is used up (with any other link still pending for the
    /// account), the lock is lifted and every session of the account ends. A password that breaks the rules leaves
    /// the link usable. Two submissions of one link: the first wins, the second is told the link is spent.
    func completeReset(token: String, newPassword: String) async throws -> StaffAccountModel {
        let reset = try await pendingReset(token: token)
        let resetID = try reset.requireID()
        try await replacePassword(of: reset.staff, with: newPassword, keepingSession: nil, liftingLock: true) {
            database, at in
            guard try await Self.spend(resetID: resetID, at: at, on: database) else {
                throw KeyInError(.invalidPasswordResetLink)
            }
        }
        return reset.staff
    }

    /// An operator's reset (`keyin merchant staff password`): the same effects as a reset link. False when no account
    /// has this e-mail.
    func setPassword(email: String, password: String) async throws -> Bool {
        guard let account = try await account(email: email) else { return false }
        try await replacePassword(of: account, with: password, keepingSession: nil, liftingLock: true)
        return true
    }

    /// Gives an account a new password with all that follows from it, in one transaction: every reset link still
    /// pending is spent and every session ends but `keepingSession`; a reset (`liftingLock`) also lifts the lock.
    /// `first` runs at the start of the transaction and may refuse (a reset link already used).
    private func replacePassword(
        of account: StaffAccountModel, with password: String, keepingSession: UUID?, liftingLock: Bool,
        first: @escaping @Sendable (any Database, Date) async throws -> Void = { _, _ in }
    ) async throws {
        try Self.checkNewPassword(password)
        account.passwordHash = try Bcrypt.hash(password, cost: 10)
        if liftingLock {
            account.failedSignIns = 0
            account.lockedUntil = nil
        }
        let (at, staffID) = (now(), try account.requireID())
        try await database.transaction { database in
            try await first(database, at)
            try await account.update(on: database)
            try await Self.spendPendingResets(of: staffID, at: at, on: database)
            var sessions = ConsoleSessionModel.query(on: database).filter(\.$staff.$id == staffID)
            if let keepingSession { sessions = sessions.filter(\.$id != keepingSession) }
            try await sessions.delete()
        }
    }

    /// Marks one link used if nobody has yet; says whether this call did.
    private static func spend(resetID: UUID, at date: Date, on database: any Database) async throws -> Bool {
        try await database.compareAndSet(PasswordResetModel.schema) {
            $0.set("used_at", to: date).where("id", .equal, resetID).where("used_at", .is, SQLLiteral.null)
        }
    }

    /// A new password makes every link still pending for the account useless.
    private static func spendPendingResets(of staffID: UUID, at date: Date, on database: any Database) async throws {
        try await PasswordResetModel.query(on: database).filter(\.$staff.$id == staffID).filter(\.$usedAt == nil)
            .set(\.$usedAt, to: date).update()
    }

    static func checkNewPassword(_ password: String) throws {
        guard (minimumPasswordLength...maximumPasswordLength).contains(password.count) else {
            throw KeyInError(
                .invalidRequest, param: "password",
                detail: "\(minimumPasswordLength) to \(maximumPasswordLength) characters")
        }
    }

    static func normalized(_ email: String) -> String { email.trimmingCharacters(in: .whitespaces).lowercased() }

    /// The session and account behind a cookie token, while the session lasts.
    func session(token: String) async throws -> (ConsoleSessionModel, StaffAccountModel)? {
        guard
            let session = try await ConsoleSessionModel.query(on: database).filter(
                \.$tokenHash == SecretToken.digest(token)
            )
            .with(\.$staff).first(),
            session.expiresAt > now()
        else { return nil }
        return (session, session.staff)
    }

    func signOut(token: String) async throws {
        try await ConsoleSessionModel.query(on: database).filter(\.$tokenHash == SecretToken.digest(token)).delete()
    }

    /// Checked against when the e-mail is unknown.
    private static let unknownAccountHash = (try? Bcrypt.hash(SecretToken.random(bytes: 16), cost: 10)) ?? ""
}
