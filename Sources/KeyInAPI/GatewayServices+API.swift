import Foundation
import KeyInGateway
import Vapor

extension GatewayServices {
    /// The `Idempotency-Key` rules, for a request.
    package func idempotency(_ request: Request) -> IdempotencyGuard {
        IdempotencyGuard(
            store: stores.idempotency, payments: stores.payments, vault: vault, now: now, processID: processID)
    }

    /// The one way a key-in payment is taken: the API, the hosted page and the virtual terminal.
    package var checkout: Checkout { Checkout(services: self) }
}
