import Vapor

/// Headers every answer carries, errors included (it runs outside the error middleware): `nosniff`, so a browser
/// never runs an answer as a type other than the one it is served as — a JSON error or an uploaded text as script.
/// HSTS comes with HTTPS.
package struct SecurityHeadersMiddleware: AsyncMiddleware {
    package init() {}

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }
}
