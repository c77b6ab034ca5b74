/// A Korean card company (카드사), known by the two-character code the Korean PGs use.
public struct CardCompany: Hashable, Sendable, Codable {
    /// e.g. `"41"` for 신한카드, `"W1"` for 우리카드.
    public let code: String
    public let name: LocalizedText

    public init(code: String, name: LocalizedText) {
        self.code = code
        self.name = name
    }
}
