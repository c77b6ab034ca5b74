import Foundation
import KeyInCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where webhooks may go. In production a merchant must not be able to make the gateway call the network it runs
/// in (cloud metadata, databases, admin pages) and read the answers' status in the delivery log, so internal
/// addresses are refused: at registration when the URL names one plainly, and before every delivery for every
/// address the name resolves to. Local development allows them (receivers usually run on the same machine).
struct WebhookTargetPolicy: Sendable {
    let allowInternal: Bool

    /// At registration, without a DNS lookup: `localhost`-style names and numeric addresses in internal ranges.
    func checkRegistered(host: String) throws(KeyInError) {
        guard !allowInternal else { return }
        let name = Self.bare(host).lowercased()
        let internalNames = ["localhost"]
        let internalSuffixes = [".localhost", ".local", ".internal", ".home.arpa"]
        if internalNames.contains(name) || internalSuffixes.contains(where: { name.hasSuffix($0) })
            || Self.addresses(of: name, numericOnly: true).contains(where: Self.isInternal)
        {
            throw KeyInError(.invalidWebhookURL, param: "url", detail: "internal address")
        }
    }

    /// Before a delivery: refused when any address the host resolves to is internal.
    func checkDelivery(host: String) async throws {
        guard !allowInternal else { return }
        let name = Self.bare(host)
        let addresses = try await NIOThreadPool.singleton.runIfActive { Self.addresses(of: name, numericOnly: false) }
        if addresses.contains(where: Self.isInternal) { throw InternalTargetRefused() }
    }

    struct InternalTargetRefused: Error, CustomStringConvertible {
        var description: String { "refused: the host resolves to an internal address" }
    }

    /// `[::1]` → `::1`; `localhost.` → `localhost` (a final dot names the same host).
    static func bare(_ host: String) -> String {
        var name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// The host's addresses as raw bytes (4 for IPv4, 16 for IPv6); empty when it does not resolve.
    static func addresses(of host: String, numericOnly: Bool) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = numericOnly ? AI_NUMERICHOST : 0
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var found: [[UInt8]] = []
        for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
            guard let address = entry.pointee.ai_addr else { continue }
            switch Int32(address.pointee.sa_family) {
            case AF_INET:
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                    var value = ipv4.pointee.sin_addr
                    found.append(withUnsafeBytes(of: &value) { Array($0) })
                }
            case AF_INET6:
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
                    var value = ipv6.pointee.sin6_addr
                    found.append(withUnsafeBytes(of: &value) { Array($0) })
                }
            default: continue
            }
        }
        return found
    }

    /// Loopback, private, link-local, carrier-grade NAT, benchmarking, multicast and reserved ranges; IPv6
    /// loopback, unspecified, unique-local, link-local, multicast, and IPv4-mapped internal addresses.
    static func isInternal(_ bytes: [UInt8]) -> Bool {
        if bytes.count == 4 {
            let (a, b) = (bytes[0], bytes[1])
            return a == 0 || a == 10 || a == 127 || a >= 224 || (a == 100 && (64...127).contains(b))
                || (a == 169 && b == 254) || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168)
                || (a == 192 && b == 0 && bytes[2] == 0) || (a == 198 && (b == 18 || b == 19))
        }
        guard bytes.count == 16 else { return true }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return isInternal(Array(bytes[12..<16]))
        }
        let unspecifiedOrLoopback = bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] <= 1
        return unspecifiedOrLoopback || bytes[0] & 0xfe == 0xfc || (bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80)
            || bytes[0] == 0xff
    }
}
