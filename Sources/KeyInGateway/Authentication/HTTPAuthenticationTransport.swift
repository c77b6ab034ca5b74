import AsyncHTTPClient
import CardholderAuthentication
import Foundation
import NIOCore

/// The 3-D Secure protocol over HTTP(S) to an ACS at `baseURL` (its routes appended): no redirects followed, a
/// bounded answer, a deadline, so a slow or hostile ACS can hold a payment only so long.
package enum HTTPAuthenticationTransport {
    package static let timeout: TimeAmount = .seconds(10)
    /// An authentication result is a few hundred bytes.
    package static let maximumAnswer = 64 * 1024

    /// The one client every ACS exchange goes through. Redirects are refused: an ACS answers, it does not send
    /// the gateway (and the card details of an AReq) elsewhere. A refused connection fails at once, where
    /// AsyncHTTPClient would retry it until the deadline: an ACS that is down must not hold every payment for
    /// `timeout` before it goes on without 3-D Secure. Nothing is decompressed: the answer's bound is its size.
    package static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(3), read: timeout),
            decompression: .disabled)
        configuration.connectionPool.retryConnectionEstablishment = false
        // Never shut down: it lives as long as the process, as AsyncHTTPClient's shared client does.
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// `timeout` bounds the whole exchange: a slow ACS holds the payment at most that long.
    package static func make(baseURL: String, timeout: TimeAmount = timeout, client: HTTPClient = client)
        -> AuthenticationClient.Transport
    {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return { method, path, headers, body in
            var request = HTTPClientRequest(url: base + path)
            request.method = .init(rawValue: method)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if !body.isEmpty { request.body = .bytes(ByteBuffer(data: body)) }
            let response = try await client.execute(request, timeout: timeout)
            let answer = try await response.body.collect(upTo: maximumAnswer)
            return (Int(response.status.code), response.headers.map { ($0.name, $0.value) }, Data(buffer: answer))
        }
    }
}
