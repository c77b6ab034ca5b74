import Foundation
import Vapor

extension Request {
    /// A console form's fields, read leniently: fields the form does not know (any name, empty or odd, repeated)
    /// never stop it from reading the ones it knows. A browser sends only the form's own fields; anything else is
    /// a script, which gets the same answer for the same known fields. A repeated field keeps its first value, a list field (`name[]`) all of them. Nil
    /// when the body is not a form at all.
    func consoleForm<Form: Decodable>(_ form: Form.Type) -> Form? {
        guard headers.contentType == .urlEncodedForm, let body = body.string else {
            return try? content.decode(Form.self)
        }
        var seen: Set<String> = []
        var kept: [String] = []
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawName = parts.first,
                let name = String(rawName).replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                Self.isFieldName(name.hasSuffix("[]") ? String(name.dropLast(2)) : name),
                // A list (`events[]`) takes every value; any other field its first.
                name.hasSuffix("[]") || seen.insert(name).inserted
            else { continue }
            kept.append(parts.count == 2 ? "\(name)=\(parts[1])" : name)
        }
        return try? URLEncodedFormDecoder().decode(Form.self, from: kept.joined(separator: "&"))
    }

    private static func isFieldName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || CharacterSet.letters.contains(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || CharacterSet.alphanumerics.contains($0)) }
    }
}
