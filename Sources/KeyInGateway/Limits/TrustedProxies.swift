import Foundation
import NIOCore

/// The proxies in front of the gateway whose `X-Forwarded-For` names the client (`KEYIN_TRUSTED_PROXIES`). Every
/// per-address limit counts by the address this gives, so it must never be one a client can choose: the header is
/// read only from a trusted peer, and from its right end, where the trusted proxies appended what they saw.
package struct TrustedProxies: Sendable, Equatable {
    package let addresses: Set<String>
    /// Every peer is a proxy: only for a harness standing in for one (in-process requests have no peer).
    package let trustsEveryPeer: Bool

    package init(addresses: Set<String>, trustsEveryPeer: Bool = false) {
        self.addresses = addresses
        self.trustsEveryPeer = trustsEveryPeer
    }

    /// The address as the peer's address prints (`::1`, `10.0.0.2`), or nil when it is not an IP address.
    package static func address(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count <= 45, let parsed = try? SocketAddress(ipAddress: trimmed, port: 0) else {
            return nil
        }
        return parsed.ipAddress
    }

    package func trusts(_ peer: String?) -> Bool {
        trustsEveryPeer || peer.map(addresses.contains) == true
    }

    /// The client's address: the peer's, unless the peer is trusted and forwarded one; then the right-most
    /// forwarded address that is not itself a trusted proxy. A forwarded value that is not an address is not used.
    package func clientAddress(peer: String?, forwardedFor: String) -> String {
        let own = peer ?? "unknown"
        guard trusts(peer), !forwardedFor.isEmpty else { return own }
        var client = own
        for hop in forwardedFor.split(separator: ",").reversed() {
            guard let address = Self.address(String(hop)) else { return client }
            client = address
            guard addresses.contains(address) else { return address }
        }
        return client
    }
}
