import Foundation
import KeyInApp
import KeyInCore
import Testing
import Vapor

@Suite("Pages and errors read the gateway's clock, not the machine's", .timeLimit(.minutes(2)))
struct GatewayClockTests {
    @Test("The hosted page offers expiry years from the gateway's clock's year, not the machine's")
    func expiryYearsFollowTheClock() async throws {
        try await GatewayHarness.with { gateway in
            gateway.wallClock.advance(seconds: 6 * 366 * 86_400)
            let clockYear = SeoulTime.calendar.component(.year, from: gateway.wallClock.now)
            let machineYear = SeoulTime.calendar.component(.year, from: Date())
            let link = try await gateway.send(.POST, "v1/payment-links", json: ["amount": 12_000, "orderName": "시계"])
            let url = try #require(link.body["url"] as? String)
            let path = try #require(URLComponents(string: url)?.path)
            let page = try HTMLPage(try await gateway.send(.GET, path, authenticated: false))
            let years = try page.all("select#expiryYear option").dropFirst().map { ($0["value"] ?? "", $0.text) }
            // This year and the fifteen after it, by the gateway's clock, not the machine's.
            #expect(years.first.map { [$0.0, $0.1] } == ["\(clockYear % 100)", "\(clockYear)"])
            #expect(years.count == 16 && !years.contains { $0.1 == "\(machineYear)" })
        }
    }
}
