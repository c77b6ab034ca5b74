import Foundation

/// Text in the two languages KeyIn speaks: Korean first (our merchants and their customers), English second.
public struct LocalizedText: Hashable, Sendable, Codable {
    public let ko: String
    public let en: String

    public init(ko: String, en: String) {
        self.ko = ko
        self.en = en
    }

    public func text(in language: Language) -> String {
        switch language {
        case .korean: ko
        case .english: en
        }
    }

    /// Both texts with `{name}` placeholders replaced.
    func filling(_ values: [String: LocalizedText]) -> LocalizedText {
        var ko = self.ko
        var en = self.en
        for (name, value) in values {
            ko = ko.replacingOccurrences(of: "{\(name)}", with: value.ko)
            en = en.replacingOccurrences(of: "{\(name)}", with: value.en)
        }
        return LocalizedText(ko: ko, en: en)
    }
}

public enum Language: String, CaseIterable, Sendable {
    case korean = "ko"
    case english = "en"

    /// The language an `Accept-Language` header asks for: English when it prefers English, Korean otherwise.
    public init(acceptLanguage header: String?) {
        let preferred = (header ?? "")
            .split(separator: ",")
            .map { part -> (tag: String, weight: Double) in
                let pieces = part.split(separator: ";")
                let tag = pieces.first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
                let weight =
                    pieces.dropFirst()
                    .compactMap { piece -> Double? in
                        let trimmed = piece.trimmingCharacters(in: .whitespaces)
                        return trimmed.hasPrefix("q=") ? Double(trimmed.dropFirst(2)) : nil
                    }
                    .first ?? 1
                return (tag, weight)
            }
            .filter { $0.tag.hasPrefix("ko") || $0.tag.hasPrefix("en") }
            .max { $0.weight < $1.weight }
        self = preferred?.tag.hasPrefix("en") == true ? .english : .korean
    }
}
