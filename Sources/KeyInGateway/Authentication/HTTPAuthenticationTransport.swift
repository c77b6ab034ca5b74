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

    /// `timeout` bounds the whole exchange: AsyncHTTPClient keeps retrying a refused connection until it passes, so it
    /// is also how long an ACS that is down holds the payment.
    package static func make(baseURL: String, timeout: TimeAmount = timeout, client: HTTPClient = .shared)
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
