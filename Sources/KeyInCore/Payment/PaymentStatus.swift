/// Where a payment stands, named as the Korean PGs name it.
public enum PaymentStatus: String, CaseIterable, Sendable, Codable {
    /// Recorded, and waiting for the cardholder to pass the card company's challenge (3-D Secure); nothing has
    /// been sent for authorization yet.
    case waitingForAuthentication = "WAITING_FOR_AUTHENTICATION"
    /// Recorded, and possibly sent to the card company; the outcome is not known yet.
    case inProgress = "IN_PROGRESS"
    /// Authorized only; the amount is held until a capture.
    case waitingForCapture = "WAITING_FOR_CAPTURE"
    /// Approved and captured.
    case done = "DONE"
    /// Part of the amount has been cancelled.
    case partialCanceled = "PARTIAL_CANCELED"
    /// Cancelled in full.
    case canceled = "CANCELED"
    /// Failed: declined, or reversed after a fault. Nothing is charged.
    case aborted = "ABORTED"

    public var isFinal: Bool { self == .canceled || self == .aborted }
}

/// What can happen to a payment.
public enum PaymentEvent: Sendable, Equatable {
    /// The card company approved; `captured` is false for an authorization only.
    case approved(captured: Bool)
    /// Declined, or reversed after a timeout or a crash.
    case failed
    /// The cardholder passed 3-D Secure (or it was attempted): the authorization may now be sent.
    case authenticated
    /// An authorization was captured.
    case captured
    /// Part of the balance was cancelled, leaving `remaining`.
    case canceled(remaining: Int64)
}

/// The one place that decides which status changes are legal. Everything that changes a payment asks it first.
public enum PaymentStateMachine {
    public static func next(after status: PaymentStatus, on event: PaymentEvent) -> PaymentStatus? {
        switch (status, event) {
        case (.inProgress, .approved(let captured)): captured ? .done : .waitingForCapture
        case (.inProgress, .failed): .aborted
        case (.waitingForAuthentication, .authenticated): .inProgress
        // Authentication failed, expired or was abandoned: nothing was sent, nothing is charged.
        case (.waitingForAuthentication, .failed): .aborted
        case (.waitingForCapture, .captured): .done
        case (.waitingForCapture, .canceled(let remaining)) where remaining == 0: .canceled
        case (.done, .canceled(let remaining)), (.partialCanceled, .canceled(let remaining)):
            remaining == 0 ? .canceled : .partialCanceled
        default: nil
        }
    }
}
