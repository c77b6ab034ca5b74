import Foundation

/// A page's markup read into a tree of elements, so a test asks what a person sees — a table's cells, where a link
/// goes, what a form posts to, the text of a heading — instead of matching characters of markup.
///
/// Strict on purpose: the console and the hosted pages write every end tag, so an element left open, an end tag out
/// of order or an attribute without its closing quote fails the parse and names the place. Void elements (`input`,
/// `br`, `meta`…) and `/>` (SVG) close themselves; `script` and `style` are read as raw text. Character references
/// are decoded, in text and in attribute values alike, so a test compares what the browser shows.
struct HTMLPage: CustomStringConvertible {
    let root: HTMLElement
    let markup: String

    init(_ markup: String) throws {
        self.markup = markup
        var reader = HTMLReader(markup)
        root = try reader.read()
    }

    var description: String { markup }

    /// Every element the selector names, in document order (see `HTMLSelector`).
    func all(_ selector: String) throws -> [HTMLElement] { try root.all(selector) }

    /// The first element the selector names, or nil.
    func first(_ selector: String) throws -> HTMLElement? { try root.first(selector) }

    /// What the page says, its elements' text run together with single spaces.
    var text: String { root.text }
}

/// One element: its name (lower case), attributes and children.
final class HTMLElement: @unchecked Sendable, CustomStringConvertible {
    enum Child {
        case element(HTMLElement)
        case text(String)
    }

    let name: String
    let attributes: [String: String]
    fileprivate(set) var children: [Child] = []
    fileprivate(set) weak var parent: HTMLElement?

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    subscript(attribute: String) -> String? { attributes[attribute] }

    var id: String? { attributes["id"] }

    var classes: Set<String> {
        Set((attributes["class"] ?? "").split(whereSeparator: \.isWhitespace).map(String.init))
    }

    /// The element's text as shown: descendants' text joined, runs of white space made one space, trimmed.
    var text: String {
        var pieces: [String] = []
        collectText(into: &pieces)
        return pieces.joined().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private func collectText(into pieces: inout [String]) {
        for child in children {
            switch child {
            case .text(let text): pieces.append(text)
            case .element(let element):
                guard element.name != "script", element.name != "style" else { continue }
                // Cells and blocks read as separate words, as they do on screen.
                pieces.append(" ")
                element.collectText(into: &pieces)
                pieces.append(" ")
            }
        }
    }

    var elements: [HTMLElement] {
        children.compactMap {
            if case .element(let element) = $0 { return element }
            return nil
        }
    }

    /// Every element below this one, in document order.
    var descendants: [HTMLElement] {
        elements.flatMap { [$0] + $0.descendants }
    }

    func all(_ selector: String) throws -> [HTMLElement] { try HTMLSelector(selector).select(in: self) }

    func first(_ selector: String) throws -> HTMLElement? { try all(selector).first }

    /// A table's body rows, each as the text of its cells (header rows, those of `th` only, left out).
    var rows: [[String]] {
        descendants.filter { $0.name == "tr" }.compactMap { row in
            let cells = row.elements.filter { $0.name == "td" || $0.name == "th" }
            guard cells.contains(where: { $0.name == "td" }) else { return nil }
            return cells.map(\.text)
        }
    }

    var description: String {
        let attributeText = attributes.sorted { $0.key < $1.key }.map { " \($0.key)=\"\($0.value)\"" }.joined()
        return "<\(name)\(attributeText)>\(text)</\(name)>"
    }

    fileprivate func append(_ child: Child) {
        if case .element(let element) = child { element.parent = self }
        children.append(child)
    }
}

/// A small CSS selector: compound parts separated by spaces (descendant), each an optional element name followed by
/// any of `#id`, `.class`, `[attribute]`, `[attribute=value]`, `[attribute^=value]` (begins with),
/// `[attribute$=value]` (ends with) and `[attribute*=value]` (contains); values may be quoted.
struct HTMLSelector {
    struct Compound {
        var name: String?
        var id: String?
        var classes: [String] = []
        var attributes: [(name: String, test: AttributeTest)] = []

        func matches(_ element: HTMLElement) -> Bool {
            if let name, element.name != name { return false }
            if let id, element.id != id { return false }
            if !classes.allSatisfy(element.classes.contains) { return false }
            return attributes.allSatisfy { attribute in
                guard let value = element[attribute.name] else { return false }
                return attribute.test.accepts(value)
            }
        }
    }

    enum AttributeTest {
        case present, equals(String), beginsWith(String), endsWith(String), contains(String)

        func accepts(_ value: String) -> Bool {
            switch self {
            case .present: true
            case .equals(let expected): value == expected
            case .beginsWith(let prefix): value.hasPrefix(prefix)
            case .endsWith(let suffix): value.hasSuffix(suffix)
            case .contains(let part): value.contains(part)
            }
        }
    }

    struct Malformed: Error, CustomStringConvertible {
        let selector: String
        var description: String { "not a selector this reader knows: \(selector)" }
    }

    let compounds: [Compound]

    init(_ selector: String) throws {
        var compounds: [Compound] = []
        var scanner = Substring(selector)
        while let compound = try Self.compound(&scanner, selector: selector) { compounds.append(compound) }
        guard !compounds.isEmpty else { throw Malformed(selector: selector) }
        self.compounds = compounds
    }

    func select(in root: HTMLElement) -> [HTMLElement] {
        var scope = [root]
        for compound in compounds {
            var seen = Set<ObjectIdentifier>()
            scope = scope.flatMap(\.descendants).filter {
                compound.matches($0) && seen.insert(ObjectIdentifier($0)).inserted
            }
        }
        return scope
    }

    private static func compound(_ scanner: inout Substring, selector: String) throws -> Compound? {
        scanner = scanner.drop(while: \.isWhitespace)
        guard !scanner.isEmpty else { return nil }
        var compound = Compound()
        let name = word(&scanner)
        if !name.isEmpty { compound.name = name.lowercased() }
        while let next = scanner.first, !next.isWhitespace {
            scanner.removeFirst()
            switch next {
            case "#": compound.id = word(&scanner)
            case ".": compound.classes.append(word(&scanner))
            case "[":
                guard let close = scanner.firstIndex(of: "]") else { throw Malformed(selector: selector) }
                compound.attributes.append(try attribute(scanner[..<close], selector: selector))
                scanner = scanner[scanner.index(after: close)...]
            default: throw Malformed(selector: selector)
            }
        }
        return compound
    }

    private static func word(_ scanner: inout Substring) -> String {
        let word = scanner.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        scanner = scanner.dropFirst(word.count)
        return String(word)
    }

    private static func attribute(_ text: Substring, selector: String) throws -> (name: String, test: AttributeTest) {
        guard let equals = text.firstIndex(of: "=") else { return (String(text), .present) }
        var name = text[..<equals]
        var value = String(text[text.index(after: equals)...])
        if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote {
            value = String(value.dropFirst().dropLast())
        }
        switch name.last {
        case "^":
            name = name.dropLast()
            return (String(name), .beginsWith(value))
        case "$":
            name = name.dropLast()
            return (String(name), .endsWith(value))
        case "*":
            name = name.dropLast()
            return (String(name), .contains(value))
        default:
            guard !name.isEmpty else { throw Malformed(selector: selector) }
            return (String(name), .equals(value))
        }
    }
}

/// Reads markup into elements, refusing what a browser would have to guess at.
private struct HTMLReader {
    struct Malformed: Error, CustomStringConvertible {
        let reason: String
        let line: Int
        let context: String
        var description: String { "markup not well formed at line \(line): \(reason) — near: \(context)" }
    }

    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    ]
    static let rawTextElements: Set<String> = ["script", "style"]

    let markup: String
    var position: String.Index

    init(_ markup: String) {
        self.markup = markup
        position = markup.startIndex
    }

    mutating func read() throws -> HTMLElement {
        let root = HTMLElement(name: "#document", attributes: [:])
        var open = [root]
        while position < markup.endIndex {
            if markup[position...].hasPrefix("<!--") {
                guard let end = markup.range(of: "-->", range: position..<markup.endIndex) else {
                    throw malformed("a comment that never ends")
                }
                position = end.upperBound
            } else if markup[position...].hasPrefix("<!") {
                guard let end = markup[position...].firstIndex(of: ">") else { throw malformed("an unclosed <!") }
                position = markup.index(after: end)
            } else if markup[position...].hasPrefix("</") {
                let start = position
                position = markup.index(position, offsetBy: 2)
                let name = readName()
                skipWhitespace()
                guard position < markup.endIndex, markup[position] == ">" else {
                    throw malformed("an end tag </\(name) without its >", at: start)
                }
                position = markup.index(after: position)
                guard open.count > 1, open.last?.name == name else {
                    throw malformed("</\(name)> closes <\(open.last?.name ?? "nothing")>", at: start)
                }
                open.removeLast()
            } else if markup[position] == "<", let next = markup[markup.index(after: position)...].first,
                next.isLetter
            {
                let start = position
                position = markup.index(after: position)
                let name = readName()
                let (attributes, selfClosing) = try readAttributes(of: name, start: start)
                let element = HTMLElement(name: name, attributes: attributes)
                open[open.count - 1].append(.element(element))
                if Self.rawTextElements.contains(name), !selfClosing {
                    guard let end = markup.range(of: "</\(name)>", range: position..<markup.endIndex) else {
                        throw malformed("<\(name)> never closed", at: start)
                    }
                    element.append(.text(String(markup[position..<end.lowerBound])))
                    position = end.upperBound
                } else if !selfClosing, !Self.voidElements.contains(name) {
                    open.append(element)
                }
            } else if markup[position] == "<" {
                // A `<` that starts no tag: text must write it `&lt;`.
                throw malformed("a bare < in text")
            } else {
                let end = markup[position...].firstIndex(of: "<") ?? markup.endIndex
                open[open.count - 1].append(.text(try decode(markup[position..<end])))
                position = end
            }
        }
        guard open.count == 1 else {
            throw malformed("<\(open.map(\.name).dropFirst().joined(separator: "> <"))> left open at the end")
        }
        return root
    }

    private mutating func readName() -> String {
        let name = markup[position...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == ":" }
        position = markup.index(position, offsetBy: name.count)
        return name.lowercased()
    }

    private mutating func skipWhitespace() {
        while position < markup.endIndex, markup[position].isWhitespace { position = markup.index(after: position) }
    }

    private mutating func readAttributes(of element: String, start: String.Index) throws -> (
        [String: String], selfClosing: Bool
    ) {
        var attributes: [String: String] = [:]
        while true {
            skipWhitespace()
            guard position < markup.endIndex else { throw malformed("<\(element) never ends", at: start) }
            if markup[position] == ">" {
                position = markup.index(after: position)
                return (attributes, false)
            }
            if markup[position...].hasPrefix("/>") {
                position = markup.index(position, offsetBy: 2)
                return (attributes, true)
            }
            let name = markup[position...].prefix { !$0.isWhitespace && !"=>/\"'".contains($0) }.lowercased()
            guard !name.isEmpty else { throw malformed("a stray character in <\(element)>", at: start) }
            position = markup.index(position, offsetBy: name.count)
            guard attributes[name] == nil else { throw malformed("\(name) twice in <\(element)>", at: start) }
            skipWhitespace()
            guard position < markup.endIndex, markup[position] == "=" else {
                attributes[name] = ""
                continue
            }
            position = markup.index(after: position)
            skipWhitespace()
            guard position < markup.endIndex else { throw malformed("<\(element) never ends", at: start) }
            let quote = markup[position]
            if quote == "\"" || quote == "'" {
                let valueStart = markup.index(after: position)
                guard let valueEnd = markup[valueStart...].firstIndex(of: quote) else {
                    throw malformed("\(name)= in <\(element)> never closes its quote", at: start)
                }
                attributes[name] = try decode(markup[valueStart..<valueEnd])
                position = markup.index(after: valueEnd)
            } else {
                let value = markup[position...].prefix { !$0.isWhitespace && $0 != ">" }
                position = markup.index(position, offsetBy: value.count)
                attributes[name] = try decode(value)
            }
        }
    }

    private static let namedReferences: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "middot": "·",
        "rarr": "→", "larr": "←", "hellip": "…", "copy": "©",
    ]

    private func decode(_ text: Substring) throws -> String {
        guard text.contains("&") else { return String(text) }
        var decoded = ""
        var rest = text
        while let ampersand = rest.firstIndex(of: "&") {
            decoded += rest[..<ampersand]
            let afterAmpersand = rest.index(after: ampersand)
            guard let semicolon = rest[afterAmpersand...].prefix(12).firstIndex(of: ";") else {
                throw malformed("a & that starts no character reference: \(rest.prefix(12))")
            }
            let reference = rest[afterAmpersand..<semicolon]
            if reference.hasPrefix("#x") || reference.hasPrefix("#X"),
                let value = UInt32(reference.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(value)
            {
                decoded.unicodeScalars.append(scalar)
            } else if reference.hasPrefix("#"), let value = UInt32(reference.dropFirst()),
                let scalar = Unicode.Scalar(value)
            {
                decoded.unicodeScalars.append(scalar)
            } else if let named = Self.namedReferences[String(reference)] {
                decoded += named
            } else {
                throw malformed("an unknown character reference &\(reference);")
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return decoded + rest
    }

    private func malformed(_ reason: String, at place: String.Index? = nil) -> Malformed {
        let place = place ?? position
        let line = markup[..<place].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        let context = markup[place...].prefix(80)
        return Malformed(reason: reason, line: line, context: String(context))
    }
}
