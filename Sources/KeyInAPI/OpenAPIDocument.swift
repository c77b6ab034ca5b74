import Foundation
import KeyInCore
import KeyInGateway
import Vapor

/// `GET /openapi.yaml`: the API's description, as shipped in the resources (tests check responses against it).
package enum OpenAPIDocument {
    package static let text: String? = Bundle.module.url(forResource: "openapi", withExtension: "yaml")
        .flatMap { try? String(contentsOf: $0, encoding: .utf8) }

    @Sendable package static func serve(_ request: Request) async throws -> Response {
        guard let text else { throw KeyInError(.failedInternalSystemProcessing) }
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.contentType = HTTPMediaType(
            type: "application", subType: "yaml", parameters: ["charset": "utf-8"])
        return response
    }
}
