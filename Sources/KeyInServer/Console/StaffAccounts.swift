import Crypto
import Fluent
import Foundation
import KeyInCore
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
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard email.contains("@"), email.count <= 100 else { throw KeyInError(.invalidRequest, param: "email") }
        guard password.count >= Self.minimumPasswordLength else {
            throw KeyInError(
                .invalidRequest, param: "password", detail: "at least \(Self.minimumPasswordLength) characters")
        }
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
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard let account = try await StaffAccountModel.query(on: database).filter(\.$email == email).first() else {
            // The same work as a real check, so timing does not tell which e-mails exist.
            _ = try? Bcrypt.verify(password, created: Self.unknownAccountHash)
            throw KeyInError(.invalidLogin)
        }
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
        let token = Self.randomHex(32)
        let session = ConsoleSessionModel()
        session.$staff.id = try account.requireID()
        session.tokenHash = Self.hash(token)
        session.csrfToken = Self.randomHex(16)
        session.createdAt = now()
        session.expiresAt = now().addingTimeInterval(Self.sessionSeconds)
        try await session.create(on: database)
        return (token, session)
    }

    /// The session and account behind a cookie token, while the session lasts.
    func session(token: String) async throws -> (ConsoleSessionModel, StaffAccountModel)? {
        guard
            let session = try await ConsoleSessionModel.query(on: database).filter(\.$tokenHash == Self.hash(token))
                .with(\.$staff).first(),
            session.expiresAt > now()
        else { return nil }
        return (session, session.staff)
    }

    func signOut(token: String) async throws {
        try await ConsoleSessionModel.query(on: database).filter(\.$tokenHash == Self.hash(token)).delete()
    }

    /// Checked against when the e-mail is unknown.
    private static let unknownAccountHash = (try? Bcrypt.hash(randomHex(16), cost: 10)) ?? ""

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func randomHex(_ bytes: Int) -> String {
        SymmetricKey(size: .init(bitCount: bytes * 8)).withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }
            .joined()
    }
}
