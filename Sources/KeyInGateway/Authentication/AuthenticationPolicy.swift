import CardholderAuthentication
import Foundation
import KeyInCore

/// When a merchant's payments are 3-D Secure authenticated, as it set it in the console (JSON on the merchant).
/// Payments from the hosted page, where the cardholder is at the keyboard, follow `mode`; API payments are
/// authenticated only when the request asks (`threeDSecure`) or the mode is `always`: a phone or mail order has no
/// cardholder to challenge, and an integration written for Toss Payments, which never asks, never meets a status it
/// does not know. The virtual terminal's phone orders are never authenticated, whatever the mode.
package struct AuthenticationPolicy: Codable, Sendable, Equatable {
    package enum Mode: String, Codable, Sendable, CaseIterable {
        /// Never on the hosted page (an API request may still ask).
        case off
        /// On the hosted page, with a challenge asked for when the risk is high.
        case risk
        /// Every payment, API ones included, with a challenge mandated (the virtual terminal's phone orders aside).
        case always
    }

    package var mode: Mode
    /// From this amount (minor units) on, the gateway asks the card company to challenge the cardholder.
    package var challengeAmount: Int64

    package static let defaults = AuthenticationPolicy(mode: .risk, challengeAmount: 300_000)
    /// What the console accepts as a challenge amount (minor units).
    package static let challengeAmountRange: ClosedRange<Int64> = 100...1_000_000_000

    package init(mode: Mode, challengeAmount: Int64) {
        self.mode = mode
        self.challengeAmount = challengeAmount
    }

    /// The merchant's stored policy, or the defaults.
    package init(stored json: String?) {
        self = json.flatMap { try? JSONDecoder().decode(Self.self, from: Data($0.utf8)) } ?? .defaults
    }

    package var json: String {
        String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self)
    }

    /// What a key-in request may ask (`threeDSecure`).
    package enum Request: String, Sendable {
        /// Authenticate, challenging when the risk is high.
        case auto = "AUTO"
        /// Authenticate with a challenge, whatever the risk.
        case challenge = "CHALLENGE"
    }

    /// How a payment is to be authenticated: what the gateway asks of the card company about a challenge, and
    /// whether authentication is required (a result that could not be performed then fails the payment).
    package struct Plan: Sendable, Equatable {
        package let preference: ChallengePreference
        package let required: Bool
    }

    /// The plan for one payment; nil when it is not authenticated. `riskIsHigh`: the amount or the card's recent
    /// declines say so (`PaymentDecisionPoint`).
    package func plan(requested: Request?, origin: PaymentOrigin, riskIsHigh: Bool) -> Plan? {
        // A phone order keyed in by staff: the cardholder is on the phone, not at a page the card company could
        // challenge them on; a challenge would send staff to the cardholder's bank (and the code to their phone).
        if origin.keyedByStaff { return nil }
        if requested == .challenge || mode == .always { return Plan(preference: .mandated, required: true) }
        guard requested == .auto || (origin.cardholderPresent && mode == .risk) else { return nil }
        return Plan(preference: riskIsHigh ? .requested : .noPreference, required: false)
    }
}
