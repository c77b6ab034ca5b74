import Foundation
import KeyInCore
import Testing

@Suite("Card expiry")
struct CardExpiryTests {
    /// Builds an instant from an ISO 8601 timestamp with its offset, so tests say exactly which moment they mean.
    static func instant(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    @Test(
        "Accepted ways of writing an expiry",
        arguments: [
            ("12/29", 2029, 12), ("1229", 2029, 12), ("12/2029", 2029, 12), ("1/29", 2029, 1), (" 03 / 30 ", 2030, 3),
        ])
    func formats(text: String, year: Int, month: Int) throws {
        let expiry = try #require(CardExpiry(parsing: text))
        #expect(expiry.year == year && expiry.month == month)
    }

    @Test(
        "Unreadable expiries are refused",
        arguments: ["", "13/29", "00/29", "12/9", "122029", "12-29", "ab/cd", "12/", "123/29"])
    func refused(text: String) {
        #expect(CardExpiry(parsing: text) == nil)
    }

    @Test("A card is good through the last moment of its month in Seoul, whatever the server's time zone")
    func lastDayOfMonthInSeoul() throws {
        let expiry = try #require(CardExpiry(parsing: "12/29"))
        // 31 Dec 2029 23:59:59 in Seoul is still 14:59:59 UTC.
        #expect(expiry.status(at: Self.instant("2029-12-31T23:59:59+09:00")) == .valid)
        // One second later it is January in Seoul, though still 31 December in UTC.
        #expect(expiry.status(at: Self.instant("2030-01-01T00:00:00+09:00")) == .expired)
        #expect(expiry.status(at: Self.instant("2029-12-31T15:00:00Z")) == .expired)
    }

    @Test("More than 20 years ahead is a typing mistake")
    func farFuture() throws {
        let now = Self.instant("2026-11-24T12:00:00+09:00")
        #expect(try #require(CardExpiry(parsing: "11/46")).status(at: now) == .valid)
        #expect(try #require(CardExpiry(parsing: "12/46")).status(at: now) == .implausiblyFarAhead)
    }

    @Test("Element 14 form and display form")
    func renderings() throws {
        let expiry = try #require(CardExpiry(parsing: "3/31"))
        #expect(expiry.yymm == "3103")
        #expect(expiry.display == "03/31")
    }
}
