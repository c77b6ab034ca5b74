import CardNetworkLink
import CardVault
import Foundation
import KeyInCore
import KeyInPersistence
import Logging
import Vapor

/// What the routes share: the card-network links, the vault, the card-entry validator, the clock.
package struct GatewayServices: Sendable {
    package let links: CardNetworkLinks
    package let vault: CardVault
    package let validator: CardEntryValidator
    package let now: @Sendable () -> Date
    /// The stores, over the gateway's database (read when used: the database is configured after the link).
    package let storesProvider: @Sendable () -> Stores
    package let webhookSender: any WebhookSender
    package let webhookTargets: WebhookTargetPolicy
    package let messageSender: any MessageSender
    /// Where customers reach this gateway (payment links, receipts), without a trailing slash.
    package let publicBaseURL: String
    /// Live chat connections in this process.
    package let chatHub = ChatHub()
    /// bcrypt for console passwords, off the request threads (`configure` gives it the application's pool).
    package var passwordHashing = PasswordHashing(pool: nil)
    /// The card companies' 3-D Secure servers, by mode (`configure` is given them).
    package var authenticators = CardholderAuthenticators()

    package init(
        links: CardNetworkLinks, vault: CardVault, validator: CardEntryValidator, now: @escaping @Sendable () -> Date,
        stores: @escaping @Sendable () -> Stores, webhookSender: any WebhookSender, webhookTargets: WebhookTargetPolicy,
        messageSender: any MessageSender, publicBaseURL: String
    ) {
        self.links = links
        self.vault = vault
        self.validator = validator
        self.now = now
        self.storesProvider = stores
        self.webhookSender = webhookSender
        self.webhookTargets = webhookTargets
        self.messageSender = messageSender
        self.publicBaseURL = publicBaseURL
    }

    package func payments(_ logger: Logger) -> PaymentService {
        // One set of stores per payment: each read of `stores` looks the database up again.
        let stores = self.stores
        return PaymentService(
            store: stores.payments, idempotency: stores.idempotency, links: links,
            vault: vault, validator: validator,
            decisions: decisionPoint, merchants: stores.merchants, authenticators: authenticators,
            paymentLinks: stores.paymentLinks, logger: logger, now: now, publicBaseURL: publicBaseURL,
            processID: processID)
    }

    /// This process, as the other processes on the database know it (`ProcessRegistry`): the payments, cancels and
    /// idempotency claims it opens carry it.
    package var processID: UUID { chatHub.processID }

    /// The stores, over the gateway's database.
    package var stores: Stores { storesProvider() }

    /// Allows or blocks payments before they are sent; see `PaymentDecisionPoint`.
    package var decisionPoint: PaymentDecisionPoint {
        let stores = self.stores
        return PaymentDecisionPoint(blocks: stores.blocks, now: now)
    }

    /// Console cookies are `Secure` when customers reach the gateway over https, and always on a live deployment
    /// (one that names card companies serves real merchants, behind TLS).
    package var secureCookies: Bool { publicBaseURL.hasPrefix("https:") || links.isLive }

    package func merchants() -> MerchantStore {
        stores.merchants
    }

    package func paymentLinks() -> PaymentLinkService {
        PaymentLinkService(store: stores.paymentLinks, now: now)
    }

    package func paymentLinkMessenger(_ logger: Logger) -> PaymentLinkMessenger {
        PaymentLinkMessenger(merchants: merchants(), outbox: messages(logger), publicBaseURL: publicBaseURL)
    }

    package func chatPresence() -> ChatPresence {
        ChatPresence(store: stores.chatPresence, now: now)
    }

    /// Delivers chat messages other processes stored to the sockets open here; see `ChatRelay`.
    @discardableResult
    package func relayChat() async throws -> Int {
        try await ChatRelay(store: stores.support, hub: chatHub, now: now).pass()
    }

    /// Tells the other processes this one's chat sockets are still open (and forgets long-dead processes' rows),
    /// and closes staff sockets whose console session has ended.
    package func refreshChatPresence() async throws {
        let listedAt = now()
        try await chatPresence().refresh(
            processID: chatHub.processID, open: await chatHub.openConnections, listedAt: listedAt)
        let sessions = await chatHub.staffSessions
        guard !sessions.isEmpty else { return }
        let live = try await stores.staff.liveSessions(among: sessions, at: now())
        await chatHub.closeStaff(sessionsEnded: sessions.subtracting(live))
    }

    /// At shutdown: this process's chat sockets no longer count as online.
    package func leaveChat() async throws {
        try await chatPresence().leaveAll(processID: chatHub.processID)
    }

    package func webhookEndpoints() -> WebhookEndpoints {
        WebhookEndpoints(store: stores.webhooks, vault: vault, now: now, targets: webhookTargets)
    }

    package func staff() -> StaffAccounts {
        var accounts = StaffAccounts(store: stores.staff, now: now)
        accounts.passwords = passwordHashing
        return accounts
    }

    /// Adds a console sign-in for a merchant (`owner` sees everything, API keys included; `staff` the rest).
    package func createStaff(merchantID: UUID, email: String, password: String, owner: Bool) async throws {
        _ = try await staff().create(
            merchantID: MerchantID(merchantID), email: email, password: password, role: owner ? .owner : .staff)
    }

    /// Sets a member's password from the command line (like a reset). False when no account has that e-mail.
    package func setStaffPassword(email: String, password: String) async throws -> Bool {
        try await staff().setPassword(email: email, password: password)
    }

    package func support(_ logger: Logger) -> SupportService {
        SupportService(
            store: stores.support, payments: stores.payments,
            merchants: stores.merchants, messages: messages(logger), now: now)
    }

    package func chat(_ logger: Logger) -> ChatService {
        ChatService(store: stores.support, support: support(logger), now: now)
    }

    package func messages(_ logger: Logger) -> MessageOutbox {
        MessageOutbox(store: stores.messages, sender: messageSender, logger: logger, now: now)
    }

    /// Hands waiting customer messages (payment links by SMS, KakaoTalk, e-mail) to the sender.
    @discardableResult
    package func sendPendingMessages(logger: Logger) async throws -> Int {
        try await messages(logger).sendPending()
    }

    package func webhooks(_ logger: Logger) -> WebhookDispatcher {
        WebhookDispatcher(
            store: stores.webhooks, vault: vault, sender: webhookSender, logger: logger, now: now,
            processID: processID)
    }

    /// Sends every webhook delivery that is due; the runtime calls it every second, tests when they choose.
    @discardableResult
    package func deliverDueWebhooks(logger: Logger) async throws -> Int {
        try await webhooks(logger).deliverDue()
    }

    package func cancels(_ logger: Logger) -> CancelService {
        CancelService(
            payments: stores.payments, cancels: stores.cancels, links: links,
            vault: vault, logger: logger, now: now, publicBaseURL: publicBaseURL, processID: processID)
    }
}

extension GatewayServices {
    /// Settles the payments and cancels a crash left IN_PROGRESS: those of a process gone silent, and any older
    /// than `staleAfter` seconds. Returns how many.
    package func recoverStalePayments(logger: Logger, staleAfter: TimeInterval) async throws -> Int {
        let at = now()
        let live = LiveProcesses(
            try await stores.processes.live(seenSince: at.addingTimeInterval(-ProcessHeartbeat.silenceLimit)),
            including: processID)
        // A webhook a dead process was sending is due again at once (a duplicate is better than a late one).
        try await stores.webhooks.releaseClaims(heldOutside: live, dueAt: at.epochMilliseconds)
        return try await PaymentRecovery(
            links: links, payments: payments(logger), cancels: cancels(logger), logger: logger, staleAfter: staleAfter
        ).settleOrphans(now: at, live: live)
    }

    /// Tells the other processes on the database that this one is alive (and forgets long-dead ones).
    package func heartbeat() async throws {
        let at = now()
        try await stores.processes.heartbeat(process: processID, at: at)
        try await stores.processes.forget(seenBefore: at.addingTimeInterval(-ProcessHeartbeat.forgetAfter))
    }

    /// At a clean shutdown, once this process's work is finished: nothing it leaves is orphaned.
    package func leaveProcesses() async throws {
        try await stores.processes.leave(process: processID)
    }

    /// Creates a merchant with a secret key (shown once). A `testOnly` merchant never gets a live key.
    package func createMerchant(name: String, live: Bool, testOnly: Bool = false) async throws
        -> (id: UUID, secretKey: String)
    {
        let created = try await MerchantAccounts(store: merchants()).create(
            name: name, mode: live ? .live : .test, testOnly: testOnly)
        return (created.merchantID.rawValue, created.secretKey)
    }

    /// Issues a new secret key for a merchant and revokes its other keys of that mode after `graceSeconds`.
    /// Returns nil when there is no such merchant.
    package func rotateMerchantKey(merchantID: UUID, live: Bool, graceSeconds: TimeInterval) async throws -> String? {
        guard try await merchants().merchant(id: MerchantID(merchantID)) != nil else { return nil }
        return try await MerchantAccounts(store: merchants()).issueKey(
            for: MerchantID(merchantID), mode: live ? .live : .test,
            revokingOthersAfter: now().addingTimeInterval(graceSeconds))
    }

    package func merchantExists(_ id: UUID) async throws -> Bool {
        try await merchants().merchant(id: MerchantID(id)) != nil
    }

    package func merchantCount() async throws -> Int {
        try await merchants().count()
    }
}

extension GatewayServices {
    /// Re-wraps every sealed record's data key (card numbers, webhook secrets) with the current master key
    /// (`keyin keys rotate`). Returns how many records changed; records already under the current key are left.
    package func rewrapCardRecords() async throws -> Int {
        try await stores.sealedRecords.rewrapAll(notUnder: vault.current.id) {
            try vault.rewrap($0)
        }
    }
}

extension GatewayServices {
    /// Destroys the card numbers of payments older than the retention period (crypto-shredding: the row holds
    /// the only wrapped copy of the data key). Returns how many were destroyed.
    @discardableResult
    package func shredExpiredCardRecords(retentionDays: Int) async throws -> Int {
        try await stores.payments.shredCards(
            createdBefore: now().addingTimeInterval(-Double(retentionDays) * 86_400))
    }

    /// Attempt limits on sign-in, password resets and inquiries, counted in the database.
    package var attemptLimits: AttemptLimits { AttemptLimits(store: stores.attempts, now: now) }

    /// Forgets attempt counts older than any window (a day).
    @discardableResult
    package func purgeAttemptWindows() async throws -> Int {
        try await stores.attempts.purge(before: now().addingTimeInterval(-86_400))
    }

    /// Forgets idempotency records past their retention.
    @discardableResult
    package func purgeExpiredIdempotencyRecords() async throws -> Int {
        try await stores.idempotency.purge(expiredBefore: now())
    }
}
