import KeyInCore
import Testing

@Suite("Card company (카드사) from the BIN table")
struct BINTableTests {
    @Test("The shipped table names the nine card companies with the PGs' codes")
    func shippedCompanies() {
        let names = Dictionary(uniqueKeysWithValues: BINTable.bundled.companies.map { ($0.code, $0.name.ko) })
        #expect(
            names == [
                "11": "KB국민카드", "41": "신한카드", "51": "삼성카드", "61": "현대카드", "71": "롯데카드", "21": "하나카드", "W1": "우리카드",
                "31": "BC카드", "91": "NH농협카드",
            ])
    }

    @Test(
        "Every test card has a card company",
        arguments: [
            "4242424242424242", "5555555555554444", "378282246310005", "3566002020360505", "6200000000000005",
            "4000000000000002", "4000000000009995",
        ])
    func testCardsHaveCompanies(number: String) throws {
        #expect(BINTable.bundled.company(for: try #require(CardNumber(typed: number))) != nil)
    }

    @Test("The longest matching prefix wins; unknown numbers have no company")
    func longestPrefix() throws {
        let table = try BINTable(
            csv: """
                bin_prefix,company_code,company_name_ko,company_name_en
                4,31,BC카드,BC Card
                424242,41,신한카드,Shinhan Card
                """)
        #expect(table.company(for: try #require(CardNumber(typed: "4242424242424242")))?.code == "41")
        #expect(table.company(for: try #require(CardNumber(typed: "4111111111111111")))?.code == "31")
        #expect(table.company(for: try #require(CardNumber(typed: "5555555555554444"))) == nil)
    }

    @Test(
        "A broken table names the line to fix",
        arguments: [
            ("prefix,code\n", 1),
            ("bin_prefix,company_code,company_name_ko,company_name_en\n424242,41,신한카드\n", 2),
            ("bin_prefix,company_code,company_name_ko,company_name_en\n# note\n42a,41,신한카드,Shinhan\n", 3),
            ("bin_prefix,company_code,company_name_ko,company_name_en\n4242,4,신한카드,Shinhan\n", 2),
            ("bin_prefix,company_code,company_name_ko,company_name_en\n4242,41,A,B\n4242,11,C,D\n", 3),
            ("", 1),
        ])
    func brokenTables(csv: String, line: Int) {
        #expect(throws: BINTableError.self) { try BINTable(csv: csv) }
        do {
            _ = try BINTable(csv: csv)
        } catch {
            #expect(error.line == line)
        }
    }
}
