import Foundation

/// Where each card company's host is, and how patient the link is with it.
public struct LinkConfiguration: Sendable {
    public struct HostAddress: Hashable, Sendable, CustomStringConvertible {
        public let host: String
        public let port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String { "\(host):\(port)" }
    }

    /// Hosts by card-company code (`"41"` for 신한카드); `defaultHostKey` serves every company not named.
    public var hosts: [String: HostAddress]
    /// How long to wait for an answer before the request is reversed.
    public var responseTimeout: Duration = .seconds(10)
    public var connectTimeout: Duration = .seconds(3)
    /// How often an idle connection is checked with an echo (0800/301).
    public var echoInterval: Duration = .seconds(30)
    /// Reconnection attempts back off from `echoInterval`'s first retry of 1 s up to this.
    public var maximumReconnectBackoff: Duration = .seconds(30)
    /// The circuit breaker judges a host by the share of its calls that failed within `breakerWindow`, once the
    /// window holds at least `breakerMinimumCalls`: at `breakerFailureRate` it opens. A lost connection counts once,
    /// however many requests were in flight on it.
    public var breakerWindow: Duration = .seconds(10)
    public var breakerMinimumCalls = 20
    public var breakerFailureRate = 0.5
    /// How long an open breaker refuses requests before it lets `breakerProbes` live requests (or an echo) try the
    /// host again; the first success closes it.
    public var breakerOpenDuration: Duration = .seconds(5)
    public var breakerProbes = 3
    /// A host that has answered nothing at all for this long while requests wait for it is taken as down: the
    /// breaker opens at once instead of after the requests' timeouts. Longer than any honest answer takes.
    public var stallTimeout: Duration = .seconds(4)
    /// Connections kept to one host, opened as traffic needs them: a lost connection fails only the requests in
    /// flight on it, and the others carry on.
    public var connectionsPerHost = 32
    /// First wait before a reversal is repeated; doubles up to `maximumReversalBackoff`.
    public var initialReversalBackoff: Duration = .seconds(1)
    public var maximumReversalBackoff: Duration = .seconds(60)
    /// Element 41 on network management messages: which KeyIn station is speaking.
    public var stationTerminalID = "KEYINLNK"

    public static let defaultHostKey = "default"

    public init(hosts: [String: HostAddress]) {
        self.hosts = hosts
    }

    /// The host for a card company, falling back to the default host.
    public func address(forCompany code: String?) -> HostAddress? {
        code.flatMap { hosts[$0] } ?? hosts[LinkConfiguration.defaultHostKey]
    }

    /// Reads `default=127.0.0.1:8583,41=127.0.0.1:8584`, the form of `KEYIN_ISSUER_HOSTS`.
    public static func parseHosts(_ text: String) throws(LinkConfigurationError) -> [String: HostAddress] {
        var hosts: [String: HostAddress] = [:]
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty,
                let colon = parts[1].lastIndex(of: ":"),
                let port = Int(parts[1][parts[1].index(after: colon)...]), (1...65535).contains(port),
                !parts[1][..<colon].isEmpty
            else { throw LinkConfigurationError(entry: entry) }
            guard hosts[parts[0]] == nil else { throw LinkConfigurationError(entry: entry) }
            hosts[parts[0]] = HostAddress(host: String(parts[1][..<colon]), port: port)
        }
        guard !hosts.isEmpty else { throw LinkConfigurationError(entry: text) }
        return hosts
    }
}

/// A card-company host entry that is not `CODE=HOST:PORT`.
public struct LinkConfigurationError: Error, Equatable, CustomStringConvertible {
    public let entry: String

    public var description: String {
        "card-company host '\(entry)' is not CODE=HOST:PORT (e.g. default=127.0.0.1:8583,41=127.0.0.1:8584)"
    }
}
