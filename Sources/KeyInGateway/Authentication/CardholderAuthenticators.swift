import CardholderAuthentication
import KeyInCore

/// The card companies' 3-D Secure access control servers, one client per mode, as the card-network links are: test
/// payments are authenticated only by the built-in simulator's ACS (in this process), live ones only by the
/// configured ACS (`KEYIN_ACS_URL`). A mode without one authenticates nothing: its payments that require
/// authentication fail with `CARDHOLDER_AUTHENTICATION_UNAVAILABLE`, the others go on unauthenticated.
package struct CardholderAuthenticators: Sendable {
    package var test: AuthenticationClient?
    package var live: AuthenticationClient?
    /// The built-in simulator's own pages (the challenge, and the one-time codes it "sends"), which the gateway
    /// serves for test mode under `/3ds/` because the simulator has no public address of its own. Any ACS route
    /// it is given answers as that ACS would.
    package var testPages: AuthenticationClient.Transport?

    package init(
        test: AuthenticationClient? = nil, live: AuthenticationClient? = nil,
        testPages: AuthenticationClient.Transport? = nil
    ) {
        self.test = test
        self.live = live
        self.testPages = testPages
    }

    package func client(for mode: PaymentMode) -> AuthenticationClient? {
        switch mode {
        case .test: test
        case .live: live
        }
    }
}
