import Foundation
import KeyInAPI
import KeyInConsole
import KeyInCore
import KeyInGateway
import KeyInPages
import KeyInPersistence
import KeyInSupport
import Vapor

/// Catches everything a route throws and answers with the catalog's JSON (or, to a browser on a page route, the
/// catalog's page), never a raw error text. A path that exists but does not take the request's method is answered
/// 405 METHOD_NOT_ALLOWED with an `Allow` header, not the router's 404.
package struct CatalogErrorMiddleware: AsyncMiddleware {
    /// The routes, to tell "no such path" from "not this method" (read when a request matched none).
    let routes: Routes

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            var caught = error
            var allow: [HTTPMethod] = []
            if request.route == nil, (error as? any AbortError)?.status == .notFound {
                allow = RouteMethods.allowed(for: request.url.path, in: routes.all)
                if !allow.isEmpty { caught = KeyInError(.methodNotAllowed) }
            }
            let api = ErrorRendering.catalogError(for: caught, logger: request.logger)
            let response =
                BrowserErrorPage.wanted(by: request)
                ? BrowserErrorPage.response(for: api.error, request: request)
                : ErrorRendering.response(for: api, request: request)
            if !allow.isEmpty {
                response.headers.replaceOrAdd(name: .allow, value: allow.map(\.rawValue).joined(separator: ", "))
            }
            return response
        }
    }
}

/// Which methods the registered routes take on a path.
enum RouteMethods {
    static func allowed(for path: String, in routes: [Route]) -> [HTTPMethod] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var methods = Set(routes.filter { matches($0.path, segments) }.map(\.method.rawValue))
        // Vapor answers HEAD wherever it answers GET.
        if methods.contains(HTTPMethod.GET.rawValue) { methods.insert(HTTPMethod.HEAD.rawValue) }
        return methods.sorted().map { HTTPMethod(rawValue: $0) }
    }

    static func matches(_ pattern: [PathComponent], _ segments: [String]) -> Bool {
        for (index, component) in pattern.enumerated() {
            switch component {
            case .catchall: return segments.count > index
            case .constant(let text): guard index < segments.count, segments[index] == text else { return false }
            case .parameter, .anything: guard index < segments.count else { return false }
            }
        }
        return pattern.count == segments.count
    }
}
