import Foundation

/// Which card company issued a card, looked up by the longest matching leading digits.
///
/// The table is data, not code: `Resources/card-bins.csv` ships with KeyIn and an operator can load a
/// replacement with `BINTable(csv:)` (the `--bin-table` option of the CLI) without rebuilding anything.
public struct BINTable: Sendable {
    public struct Row: Hashable, Sendable {
        public let prefix: String
        public let company: CardCompany
        /// Credit, check or gift, when the table says.
        public let kind: CardKind
        /// Personal or corporate, when the table says.
        public let owner: CardOwnerType

        public init(prefix: String, company: CardCompany, kind: CardKind = .unknown, owner: CardOwnerType = .unknown) {
            self.prefix = prefix
            self.company = company
            self.kind = kind
            self.owner = owner
        }
    }

    public let rows: [Row]
    /// Rows ordered longest prefix first, so the first hit is the most specific.
    private let byLongestPrefix: [Row]
    /// Every company the table names, once each, in the order they first appear.
    public let companies: [CardCompany]
    private let companiesByCode: [String: CardCompany]

    public init(rows: [Row]) {
        self.rows = rows
        self.byLongestPrefix = rows.sorted { $0.prefix.count > $1.prefix.count }
        var seen = Set<String>()
        companies = rows.compactMap { seen.insert($0.company.code).inserted ? $0.company : nil }
        companiesByCode = Dictionary(companies.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The company with this code, if the table names it.
    public func company(code: String) -> CardCompany? { companiesByCode[code] }

    /// The card company for a number, or nil when no row matches (a card issued outside Korea, say).
    public func company(for number: CardNumber) -> CardCompany? {
        row(for: number)?.company
    }

    /// The most specific row for a number: its company, kind and owner type.
    public func row(for number: CardNumber) -> Row? {
        byLongestPrefix.first { number.digits.hasPrefix($0.prefix) }
    }

    /// The table shipped with KeyIn: the test cards and the card companies the simulator plays.
    public static let bundled: BINTable = {
        guard let url = Bundle.module.url(forResource: "card-bins", withExtension: "csv"),
            let text = try? String(contentsOf: url, encoding: .utf8),
            let table = try? BINTable(csv: text)
        else {
            // The file is part of the build; its absence means a broken installation, not bad input.
            fatalError("KeyInCore's bundled card-bins.csv is missing or unreadable")
        }
        return table
    }()
}

/// Why a BIN table could not be read, with the line to fix.
public struct BINTableError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let reason: String

    public var description: String { "BIN table line \(line): \(reason)" }
}

extension BINTable {
    static let header = ["bin_prefix", "company_code", "company_name_ko", "company_name_en"]
    /// The header with the optional columns that say what kind of card a prefix is and who holds it.
    static let fullHeader = header + ["card_type", "owner_type"]

    /// Reads the CSV format documented in docs/card-network.md: a header line naming the columns
    /// `bin_prefix,company_code,company_name_ko,company_name_en`, optionally followed by `card_type,owner_type`
    /// (`credit`, `check`, `gift` or `unknown`; `personal`, `corporate` or `unknown`), then one row per prefix.
    /// Blank lines and lines starting with `#` are ignored. Values may not contain commas. A table without the
    /// last two columns (the earlier format) still reads: its cards' kind and owner are `unknown`.
    public init(csv text: String) throws(BINTableError) {
        var rows: [Row] = []
        var columns: [String]? = nil
        var seenPrefixes = Set<String>()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard let columns else {
                guard fields == BINTable.header || fields == BINTable.fullHeader else {
                    throw BINTableError(
                        line: lineNumber,
                        reason:
                            "expected the header \(BINTable.fullHeader.joined(separator: ",")) (the last two optional)")
                }
                columns = fields
                continue
            }
            guard fields.count == columns.count else {
                throw BINTableError(line: lineNumber, reason: "expected \(columns.count) values, found \(fields.count)")
            }
            let prefix = fields[0]
            guard (1...8).contains(prefix.count), prefix.allSatisfy({ $0.asciiDigitValue != nil }) else {
                throw BINTableError(line: lineNumber, reason: "bin_prefix must be 1 to 8 digits")
            }
            guard seenPrefixes.insert(prefix).inserted else {
                throw BINTableError(line: lineNumber, reason: "bin_prefix \(prefix) appears twice")
            }
            let code = fields[1]
            guard code.count == 2, code.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isUppercase) }) else {
                throw BINTableError(line: lineNumber, reason: "company_code must be 2 characters of 0-9 or A-Z")
            }
            guard !fields[2].isEmpty, !fields[3].isEmpty else {
                throw BINTableError(line: lineNumber, reason: "company names may not be empty")
            }
            var kind = CardKind.unknown
            var owner = CardOwnerType.unknown
            if fields.count == 6 {
                guard let readKind = CardKind(rawValue: fields[4]) else {
                    throw BINTableError(line: lineNumber, reason: "card_type must be credit, check, gift or unknown")
                }
                guard let readOwner = CardOwnerType(rawValue: fields[5]) else {
                    throw BINTableError(line: lineNumber, reason: "owner_type must be personal, corporate or unknown")
                }
                (kind, owner) = (readKind, readOwner)
            }
            rows.append(
                Row(
                    prefix: prefix, company: CardCompany(code: code, name: LocalizedText(ko: fields[2], en: fields[3])),
                    kind: kind, owner: owner))
        }
        guard columns != nil else { throw BINTableError(line: 1, reason: "the table is empty") }
        self.init(rows: rows)
    }
}
