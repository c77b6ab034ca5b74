import KeyInCore
import Testing

@Suite("Payment state machine")
struct PaymentStateMachineTests {
    @Test("Legal paths from IN_PROGRESS")
    func legalPaths() {
        #expect(PaymentStateMachine.next(after: .inProgress, on: .approved(captured: true)) == .done)
        #expect(PaymentStateMachine.next(after: .inProgress, on: .approved(captured: false)) == .waitingForCapture)
        #expect(PaymentStateMachine.next(after: .inProgress, on: .failed) == .aborted)
        #expect(PaymentStateMachine.next(after: .waitingForCapture, on: .captured) == .done)
        #expect(PaymentStateMachine.next(after: .waitingForCapture, on: .canceled(remaining: 0)) == .canceled)
        #expect(PaymentStateMachine.next(after: .done, on: .canceled(remaining: 500)) == .partialCanceled)
        #expect(PaymentStateMachine.next(after: .partialCanceled, on: .canceled(remaining: 0)) == .canceled)
    }

    @Test(
        "Final states accept nothing, and a settled payment cannot be flipped by a late answer",
        arguments: [
            PaymentStatus.canceled, .aborted, .done, .waitingForCapture, .partialCanceled,
        ])
    func noFlipping(status: PaymentStatus) {
        #expect(PaymentStateMachine.next(after: status, on: .approved(captured: true)) == nil)
        #expect(PaymentStateMachine.next(after: status, on: .failed) == nil)
        if status.isFinal {
            #expect(PaymentStateMachine.next(after: status, on: .captured) == nil)
            #expect(PaymentStateMachine.next(after: status, on: .canceled(remaining: 0)) == nil)
        }
    }

    @Test("An authorization is cancelled whole or captured, never partly cancelled")
    func authorizationCancel() {
        #expect(PaymentStateMachine.next(after: .waitingForCapture, on: .canceled(remaining: 100)) == nil)
        #expect(PaymentStateMachine.next(after: .inProgress, on: .captured) == nil)
    }
}
