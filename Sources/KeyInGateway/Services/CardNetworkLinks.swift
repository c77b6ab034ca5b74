import CardNetworkLink
import KeyInCore

/// The gateway's two card-network links, one per mode. Test payments go only to `test`, the built-in card-company
/// simulator every deployment runs; live payments only to `live`, the configured card-company hosts
/// (`KEYIN_ISSUER_HOSTS`), which a deployment without them does not have. Nothing else decides where a payment,
/// its cancels or its reversals go.
package struct CardNetworkLinks: Sendable {
    package let test: CardNetworkLink
    package let live: CardNetworkLink?

    package init(test: CardNetworkLink, live: CardNetworkLink?) {
        self.test = test
        self.live = live
    }

    /// A deployment is live when it names card-company hosts.
    package var isLive: Bool { live != nil }

    /// The link for a payment of this mode; a live payment on a deployment with no card-company hosts is refused.
    package func link(for mode: PaymentMode) throws(KeyInError) -> CardNetworkLink {
        switch mode {
        case .test: return test
        case .live:
            guard let live else { throw KeyInError(.liveModeNotConfigured) }
            return live
        }
    }

    package var all: [CardNetworkLink] { [test] + (live.map { [$0] } ?? []) }

    package func start() async {
        for link in all { await link.start() }
    }

    package func retryPendingReversals() async {
        for link in all { await link.retryPendingReversals() }
    }

    package func shutdown() async {
        for link in all { await link.shutdown() }
    }
}
