import Vapor

/// Headers every answer carries, errors included (it runs outside the error middleware): `nosniff`, so a browser
/// never runs an answer as a type other than the one it is served as — a JSON error or an uploaded text as script.
/// HSTS comes with HTTPS.
///
/// A future-based middleware on purpose: an `AsyncMiddleware` starts a task and hops executors on every request,
/// which cost the trivial route about a quarter of its throughput under load (docs/performance.md).
package struct SecurityHeadersMiddleware: Middleware {
    package init() {}

    package func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
            response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
            return response
        }
    }
}
