import Foundation

/// The gateway's side of the protocol: signs each request, checks each answer's signature and decodes it. How the
/// bytes travel is the `transport`'s business (HTTPS to a card company's ACS; in-process to the built-in
/// simulator's), so every ACS is spoken to the same way.
public struct AuthenticationClient: Sendable {
    /// One exchange: method, path (from the routes), headers and body out; status, headers and body back.
    public typealias Transport =
        @Sendable (_ method: String, _ path: String, _ headers: [(String, String)], _ body: Data) async throws ->
        (status: Int, headers: [(String, String)], body: Data)

    public let transport: Transport
    public let signature: MessageSignature
    private let now: @Sendable () -> Date

    public init(sharedKey: String, now: @escaping @Sendable () -> Date = { Date() }, transport: @escaping Transport) {
        self.signature = MessageSignature(sharedKey: sharedKey)
        self.now = now
        self.transport = transport
    }

    /// Why no result came back. The gateway treats each as "could not be performed" (U): never as an answer.
    public enum Failure: Error, Equatable {
        /// The ACS could not be reached, or did not answer in time.
        case unreachable
        /// An answer that is not a result: an error status, or a body that does not decode.
        case badAnswer(status: Int)
        /// An answer whose signature does not hold: altered on the way, or not from this ACS.
        case badSignature
        /// A signed result for another transaction than the one asked about.
        case wrongTransaction
    }

    public func authenticate(_ request: AuthenticationRequest) async throws(Failure) -> AuthenticationResult {
        let body: Data
        do {
            body = try AuthenticationJSON.encode(request)
        } catch {
            throw .badAnswer(status: 0)
        }
        return try await exchange(
            method: "POST", path: AuthenticationRoutes.authenticate, body: body, id: request.serverTransactionID)
    }

    public func result(serverTransactionID: String) async throws(Failure) -> AuthenticationResult {
        try await exchange(
            method: "GET", path: AuthenticationRoutes.result(serverTransactionID), body: Data(), id: serverTransactionID
        )
    }

    private func exchange(method: String, path: String, body: Data, id: String) async throws(Failure)
        -> AuthenticationResult
    {
        let headers = [
            ("Content-Type", "application/json"),
            (MessageSignature.headerName, signature.sign(method: method, path: path, body: body, at: now())),
        ]
        let answer: (status: Int, headers: [(String, String)], body: Data)
        do {
            answer = try await transport(method, path, headers, body)
        } catch {
            throw .unreachable
        }
        guard answer.status == 200 else { throw .badAnswer(status: answer.status) }
        let header = answer.headers.first { $0.0.lowercased() == MessageSignature.headerName.lowercased() }?.1
        do {
            try signature.verify(header, method: method, path: path, body: answer.body, at: now())
        } catch {
            throw .badSignature
        }
        guard let result = try? AuthenticationJSON.decode(AuthenticationResult.self, from: answer.body) else {
            throw .badAnswer(status: answer.status)
        }
        guard result.serverTransactionID == id else { throw .wrongTransaction }
        return result
    }
}
