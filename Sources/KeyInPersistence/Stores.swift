import FluentKit
import Foundation
import KeyInCore

/// Every store over one database handle: what the rest of the gateway reads and writes through, without knowing
/// the database is Fluent's.
package struct Stores: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    package var payments: PaymentStore { PaymentStore(database: database) }
    package var cancels: CancelStore { CancelStore(database: database) }
    package var idempotency: IdempotencyStore { IdempotencyStore(database: database) }
    package var merchants: MerchantStore { MerchantStore(database: database) }
    package var paymentLinks: PaymentLinkStore { PaymentLinkStore(database: database) }
    package var messages: MessageStore { MessageStore(database: database) }
    package var webhooks: WebhookStore { WebhookStore(database: database) }
    package var staff: StaffStore { StaffStore(database: database) }
    package var support: SupportStore { SupportStore(database: database) }
    package var chatPresence: ChatPresenceStore { ChatPresenceStore(database: database) }
    package var sealedRecords: SealedRecordStore { SealedRecordStore(database: database) }
    package var dashboard: DashboardStore { DashboardStore(database: database) }
    package var attempts: AttemptWindowStore { AttemptWindowStore(database: database) }
    package var blocks: SourceBlockStore { SourceBlockStore(database: database) }
    package var processes: ProcessRegistry { ProcessRegistry(database: database) }

    /// Runs a payment search for a merchant, in one mode.
    package func search(_ search: PaymentSearch, merchantID: MerchantID, mode: PaymentMode) async throws
        -> PaymentSearch.Page
    {
        try await search.run(merchantID: merchantID, mode: mode, on: database)
    }
}
