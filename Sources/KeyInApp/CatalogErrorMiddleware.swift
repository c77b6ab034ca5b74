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
/// catalog's page), never a raw error text.
package struct CatalogErrorMiddleware: AsyncMiddleware {
    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let api = ErrorRendering.catalogError(for: error, logger: request.logger)
            if BrowserErrorPage.wanted(by: request) {
                return BrowserErrorPage.response(for: api.error, request: request)
            }
            return ErrorRendering.response(for: api, request: request)
        }
    }
}
