import Foundation
import KeyInAPI
import KeyInApp
import KeyInConsole
import KeyInGateway
import KeyInPages
import KeyInSupport
import Testing
import Vapor

@Suite("Live chat sockets only for pages of this site")
struct ChatOriginTests {
    func upgrade(origin: String?, host: String = "pay.shop.example:8080") async throws -> Bool {
        let app = try await Application.make(.testing)
        var headers: HTTPHeaders = ["Host": host]
        if let origin { headers.add(name: .origin, value: origin) }
        let request = Request(
            application: app, method: .GET, url: "/console/chat/ws", headers: headers, on: app.eventLoopGroup.next())
        let answer = try await ChatController.sameOrigin(request).get()
        try await app.asyncShutdown()
        return answer != nil
    }

    @Test("A socket opened by this site's page is upgraded; another site's, a null origin or none is refused")
    func origins() async throws {
        #expect(try await upgrade(origin: "https://pay.shop.example"))
        #expect(try await upgrade(origin: nil) == false)
        #expect(try await upgrade(origin: "null") == false)
        #expect(try await upgrade(origin: "https://evil.example") == false)
        #expect(try await upgrade(origin: "https://pay.shop.example.evil.example") == false)
    }
}
