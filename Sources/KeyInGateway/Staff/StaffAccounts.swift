import Foundation
import KeyInCore
import KeyInPersistence
import Vapor

/// Console sign-in: staff accounts with bcrypt passwords, sessions whose cookie token is stored only as a hash,
/// and a lock after repeated failures.
package struct StaffAccounts: Sendable {
    package let store: StaffStore
    package let now: @Sendable () -> Date
    package var passwords = PasswordHashing(pool: nil)

    package typealias Role = StaffRole

    package static let maximumFailures = 5
    package static let lockSeconds: TimeInterval = 15 * 60
    package static let sessionSeconds: TimeInterval = 8 * 3600
    package static let minimumPasswordLength = 10

    package func create(merchantID: MerchantID, email: String, password: String, role: Role) async throws -> StaffRecord
    {
        let email = Self.normalized(email)
        guard email.contains("@"), email.count <= 100 else { throw KeyInError(.invalidRequest, param: "email") }
        try Self.checkNewPassword(password)
        do {
            return try await store.create(
                merchantID: merchantID, email: email, passwordHash: try await passwords.hash(password), role: role,
                at: now())
        } catch StaffStore.CreateRefusal.emailInUse {
            throw KeyInError(.invalidRequest, param: "email", detail: "already in use")
        }
    }

    /// Checks the password and opens a session. A wrong e-mail and a wrong password fail alike; the fifth failure
    /// in a row locks the account for 15 minutes (a locked account refuses even the right password).
    package func signIn(email: String, password: String) async throws -> (token: String, session: ConsoleSessionRecord)
    {
        guard let account = try await account(email: email) else {
            // The same work as a real check, so timing does not tell which e-mails exist.
            _ = await passwords.verify(password, against: Self.unknownAccountHash)
            throw KeyInError(.invalidLogin)
        }
        // A locked account answers as a wrong password does: the requester learns neither that the account exists
        // nor that someone is guessing at it.
        try await verify(password, of: account, revealingLock: false)
        let token = SecretToken.random(bytes: 32)
        let session = try await store.openSession(
            staffID: account.id, tokenDigest: SecretToken.digest(token), csrfToken: SecretToken.random(bytes: 16),
            at: now(), expiresAt: now().addingTimeInterval(Self.sessionSeconds))
        return (token, session)
    }

    /// Checks a password; a wrong one counts towards the lock (the fifth in a row locks the account for 15 minutes,
    /// and a locked account refuses even the right password). The right one clears the count. Counting and
    /// clearing are each one conditional update, so guesses sent at once cannot slip past the lock, and a right
    /// password checked while guesses lock the account does not unlock it. `revealingLock`: a signed-in member is
    /// told the account is locked (ACCOUNT_LOCKED); a sign-in is not (INVALID_LOGIN either way).
    private func verify(_ password: String, of account: StaffRecord, revealingLock: Bool = true) async throws {
        let refusal = KeyInError(revealingLock ? .accountLocked : .invalidLogin)
        let matches = await passwords.verify(password, against: account.passwordHash)
        if let lockedUntil = account.lockedUntil, lockedUntil > now() { throw refusal }
        guard matches else {
            let locked = try await store.countFailedSignIn(
                of: account.id, locksAt: Self.maximumFailures, at: now(),
                lockedUntil: now().addingTimeInterval(Self.lockSeconds))
            throw locked ? refusal : KeyInError(.invalidLogin)
        }
        guard try await store.clearFailedSignIns(of: account.id, at: now()) else { throw refusal }
    }

    private func account(email: String) async throws -> StaffRecord? {
        try await store.account(email: Self.normalized(email))
    }

    // MARK: Changing and resetting passwords

    package static let resetSeconds: TimeInterval = 30 * 60
    package static let maximumPasswordLength = 128
    package static let maximumResetsPerWindow = 3

    /// A signed-in member changes their password, proving the current one (wrong guesses count towards the lock).
    /// Their other sessions end and pending reset links are spent: whoever else knew the old password is signed out.
    package func changePassword(staffID: StaffID, keepingSession sessionID: UUID, current: String, new: String)
        async throws
    {
        guard let account = try await store.account(id: staffID) else { throw KeyInError(.sessionExpired) }
        try await verify(current, of: account)
        try await replacePassword(of: account, with: new, keepingSession: sessionID, liftingLock: false)
    }

    /// Starts a reset for the account with this e-mail, if there is one: a one-use token for the link, valid for 30
    /// minutes. Nil for an unknown e-mail (or after three links in half an hour); callers must answer alike either
    /// way.
    package func beginReset(email: String) async throws -> (token: String, account: StaffRecord)? {
        guard let account = try await account(email: email) else { return nil }
        // A few links per half hour are plenty; more would only let someone flood the member's mailbox.
        let recent = try await store.resets(of: account.id, since: now().addingTimeInterval(-Self.resetSeconds))
        guard recent < Self.maximumResetsPerWindow else { return nil }
        let token = SecretToken.random(bytes: 32)
        try await store.addReset(
            staffID: account.id, tokenDigest: SecretToken.digest(token), at: now(),
            expiresAt: now().addingTimeInterval(Self.resetSeconds))
        return (token, account)
    }

    /// The reset a link's token opens, while it is unused and unexpired.
    package func pendingReset(token: String) async throws -> (id: UUID, staff: StaffRecord) {
        guard let reset = try await store.pendingReset(tokenDigest: SecretToken.digest(token), at: now()) else {
            throw KeyInError(.invalidPasswordResetLink)
        }
        return reset
    }

    /// Sets the new password through a reset link: the link is used up (with any other link still pending for the
    /// account), the lock is lifted and every session of the account ends. A password that breaks the rules leaves
    /// the link usable. Two submissions of one link: the first wins, the second is told the link is spent.
    package func completeReset(token: String, newPassword: String) async throws -> StaffRecord {
        let reset = try await pendingReset(token: token)
        do {
            try await replacePassword(
                of: reset.staff, with: newPassword, keepingSession: nil, liftingLock: true, spendingReset: reset.id)
        } catch StaffStore.ReplaceRefusal.resetSpent {
            throw KeyInError(.invalidPasswordResetLink)
        }
        return reset.staff
    }

    /// An operator's reset (`keyin merchant staff password`): the same effects as a reset link. False when no account
    /// has this e-mail.
    package func setPassword(email: String, password: String) async throws -> Bool {
        guard let account = try await account(email: email) else { return false }
        try await replacePassword(of: account, with: password, keepingSession: nil, liftingLock: true)
        return true
    }

    /// Gives an account a new password with all that follows from it (`StaffStore.replacePassword`).
    private func replacePassword(
        of account: StaffRecord, with password: String, keepingSession: UUID?, liftingLock: Bool,
        spendingReset: UUID? = nil
    ) async throws {
        try Self.checkNewPassword(password)
        try await store.replacePassword(
            of: account.id, hash: try await passwords.hash(password), liftingLock: liftingLock,
            keepingSession: keepingSession, spendingReset: spendingReset, at: now())
    }

    package static func checkNewPassword(_ password: String) throws {
        guard (minimumPasswordLength...maximumPasswordLength).contains(password.count) else {
            throw KeyInError(
                .invalidRequest, param: "password",
                detail: "\(minimumPasswordLength) to \(maximumPasswordLength) characters")
        }
    }

    package static func normalized(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The session and account behind a cookie token, while the session lasts.
    package func session(token: String) async throws -> (ConsoleSessionRecord, StaffRecord)? {
        try await store.session(tokenDigest: SecretToken.digest(token), at: now())
    }

    package func signOut(token: String) async throws {
        try await store.endSession(tokenDigest: SecretToken.digest(token))
    }

    /// Checked against when the e-mail is unknown.
    private static let unknownAccountHash = (try? Bcrypt.hash(SecretToken.random(bytes: 16), cost: 10)) ?? ""
}
