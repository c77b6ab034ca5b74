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
package struct WebhookTargetPolicy: Sendable {
    package let allowInternal: Bool
    /// The ports a URL may name; nil allows any. By default only HTTPS's and HTTP's own: a merchant's receiver
    /// listens there, and a URL naming another port is how one probes a host's other services.
    package let allowedPorts: Set<Int>?

    package static let standardPorts: Set<Int> = [443, 80]

    /// The URL's port (its scheme's default when it names none) must be allowed, at registration and before every
    /// delivery (the setting may have changed since).
    package func checkPort(of url: URLComponents) throws(KeyInError) {
        guard let allowedPorts else { return }
        let port = url.port ?? (url.scheme?.lowercased() == "http" ? 80 : 443)
        guard allowedPorts.contains(port) else {
            throw KeyInError(
                .invalidWebhookURL, param: "url",
                detail:
                    "port \(port) is not allowed (\(allowedPorts.sorted().map(String.init).joined(separator: ", ")))")
        }
    }

    /// At registration, without a DNS lookup: `localhost`-style names and numeric addresses in internal ranges.
    package func checkRegistered(host: String) throws(KeyInError) {
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

    /// Before a delivery: refused when any address the host resolves to is internal, when it does not resolve, or
    /// when the lookup takes longer than `lookupSeconds`. Returns the vetted address the delivery must connect to
    /// (nil when internal targets are allowed and nothing was looked up): the HTTP client is pinned to it and never
    /// looks the name up again, so a name server that changes its answer in between (DNS rebinding) changes nothing.
    @discardableResult
    package func checkDelivery(host: String) async throws -> String? {
        guard !allowInternal else { return nil }
        let name = Self.bare(host)
        let addresses = try await withThrowingTaskGroup(of: [[UInt8]]?.self) { group in
            // Lookups block a thread: they get threads of their own, so a merchant's slow name server holds up
            // neither other deliveries' lookups beyond this deadline nor the database's threads.
            group.addTask { try await Self.lookups.runIfActive { Self.addresses(of: name, numericOnly: false) } }
            group.addTask {
                try await Task.sleep(for: .seconds(Self.lookupSeconds))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let addresses else { throw TargetRefused(reason: "the host name lookup timed out") }
        guard !addresses.isEmpty else { throw TargetRefused(reason: "the host name does not resolve") }
        if addresses.contains(where: Self.isInternal) {
            throw TargetRefused(reason: "the host resolves to an internal address")
        }
        return Self.text(of: addresses[0])
    }

    /// An address's bytes as text: dotted IPv4, or IPv6 in hex groups.
    package static func text(of bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: bytes.count, by: 2).map {
            String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
        }.joined(separator: ":")
    }

    package static let lookupSeconds: Int64 = 5

    /// Threads for host name lookups only.
    package static let lookups: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        return pool
    }()

    package struct TargetRefused: Error, CustomStringConvertible {
        package let reason: String
        package var description: String { "refused: \(reason)" }

        package init(reason: String) {
            self.reason = reason
        }
    }

    /// `[::1]` → `::1`; `localhost.` → `localhost` (a final dot names the same host).
    package static func bare(_ host: String) -> String {
        var name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// The host's addresses as raw bytes (4 for IPv4, 16 for IPv6); empty when it does not resolve.
    package static func addresses(of host: String, numericOnly: Bool) -> [[UInt8]] {
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
    package static func isInternal(_ bytes: [UInt8]) -> Bool {
        if bytes.count == 4 {
            let (a, b) = (bytes[0], bytes[1])
            return a == 0 || a == 10 || a == 127 || a >= 224 || (a == 100 && (64...127).contains(b))
                || (a == 169 && b == 254) || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168)
                || (a == 192 && b == 0 && bytes[2] == 0) || (a == 198 && (b == 18 || b == 19))
        }
        guard bytes.count == 16 else { return true }
        // IPv6 forms that carry an IPv4 address are judged by it: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d),
        // NAT64 (64:ff9b::/96) and 6to4 (2002:aabb:ccdd::/48).
        let prefix96 = Array(bytes[0..<12])
        if prefix96 == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
            || prefix96 == [UInt8](repeating: 0, count: 12)
                && !bytes[12..<15].allSatisfy({ $0 == 0 })
            || prefix96 == [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]
        {
            return isInternal(Array(bytes[12..<16]))
        }
        if bytes[0] == 0x20 && bytes[1] == 0x02 { return isInternal(Array(bytes[2..<6])) }
        let unspecifiedOrLoopback = bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] <= 1
        let teredo = bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0 && bytes[3] == 0
        let nat64Local =
            bytes[0] == 0 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b && bytes[4] == 0
            && bytes[5] == 1
        return unspecifiedOrLoopback || teredo || nat64Local || bytes[0] & 0xfe == 0xfc
            || (bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80) || (bytes[0] == 0xfe && bytes[1] & 0xc0 == 0xc0)
            || bytes[0] == 0xff
    }

    package init(allowInternal: Bool, allowedPorts: Set<Int>? = WebhookTargetPolicy.standardPorts) {
        self.allowInternal = allowInternal
        self.allowedPorts = allowedPorts
    }
}
