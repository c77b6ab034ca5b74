import Foundation
import Testing

/// Every relative link in README.md and docs/ leads somewhere: the file exists and, for `#anchor`, the Markdown
/// file has that heading (GitHub's slugs). Links inside code blocks and code spans, and absolute URLs, are not
/// checked.
@Suite("Documentation links")
struct DocumentationLinksTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("Every relative link and anchor in README.md and docs/ resolves")
    func linksResolve() throws {
        let files = try Self.markdownFiles()
        #expect(files.count >= 7, "README.md and the docs/ pages: found \(files.map(\.lastPathComponent))")
        var broken: [String] = []
        for file in files {
            broken += try DocumentationLinks.broken(in: file, root: Self.root)
        }
        #expect(broken.isEmpty, "broken links:\n\(broken.joined(separator: "\n"))")
    }

    @Test("The checker finds a missing file and a missing heading, and ignores code and absolute URLs")
    func checkerCatchesBreakage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyin-links-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("page.md")
        try """
        # 결제 흐름 · Payment flow
        ## Two commands
        [ok](#two-commands) [ok too](#결제-흐름--payment-flow) [self](page.md)
        [missing file](nowhere.md) [missing heading](page.md#no-such-heading) ![image](gone.png)
        `[in code](nowhere.md)` and [absolute](https://example.com/x.md)
        ```
        [in a block](nowhere.md)
        ```
        """.write(to: page, atomically: true, encoding: .utf8)
        let broken = try DocumentationLinks.broken(in: page, root: folder)
        #expect(broken.count == 3, "\(broken)")
        #expect(broken.contains { $0.contains("nowhere.md") && $0.hasPrefix("page.md:4") })
        #expect(broken.contains { $0.contains("no-such-heading") })
        #expect(broken.contains { $0.contains("gone.png") })
    }

    static func markdownFiles() throws -> [URL] {
        var files = [root.appendingPathComponent("README.md")]
        let docs = root.appendingPathComponent("docs")
        let names = try FileManager.default.subpathsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }
        files += names.sorted().map { docs.appendingPathComponent($0) }
        return files
    }
}

/// A small Markdown link checker: inline links and images, `<a href>`/`<img src>`, relative paths and anchors.
enum DocumentationLinks {
    static func broken(in file: URL, root: URL) throws -> [String] {
        let text = try String(contentsOf: file, encoding: .utf8)
        let shown = file.path.replacingOccurrences(of: root.path + "/", with: "")
        var problems: [String] = []
        for (number, line) in proseLines(text) {
            for target in targets(line) {
                guard !target.isEmpty, target.firstMatch(of: /^[A-Za-z][A-Za-z0-9+.-]*:/) == nil,
                    !target.hasPrefix("//")
                else { continue }
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let location = String(parts[0]).removingPercentEncoding ?? String(parts[0])
                let fragment = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
                let resolved =
                    location.isEmpty
                    ? file
                    : location.hasPrefix("/")
                        ? root.appendingPathComponent(String(location.dropFirst()))
                        : file.deletingLastPathComponent().appendingPathComponent(location).standardizedFileURL
                guard FileManager.default.fileExists(atPath: resolved.path) else {
                    problems.append("\(shown):\(number): \(target): no such file")
                    continue
                }
                if !fragment.isEmpty, resolved.pathExtension == "md",
                    try !anchors(of: resolved).contains(fragment.lowercased())
                {
                    problems.append("\(shown):\(number): \(target): no such heading")
                }
            }
        }
        return problems
    }

    /// Lines outside fenced code blocks, numbered from 1, with code spans blanked (or, for headings, only their
    /// backticks dropped: GitHub keeps a code span's text in the anchor).
    static func proseLines(_ text: String, blankingCode: Bool = true) -> [(Int, String)] {
        var fenced = false
        var lines: [(Int, String)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop(while: { $0 == " " })
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fenced.toggle()
                continue
            }
            guard !fenced else { continue }
            let kept =
                blankingCode ? String(line).replacing(/`[^`]*`/, with: "") : String(line).replacing("`", with: "")
            lines.append((index + 1, kept))
        }
        return lines
    }

    static func targets(_ line: String) -> [String] {
        let inline = line.matches(of: /!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^()\s>]*)>?(?:\s+"[^"]*")?\s*\)/)
            .map { String($0.1) }
        let html = line.matches(of: /<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*"([^"]*)"/).map { String($0.1) }
        return inline + html
    }

    /// GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered.
    static func anchors(of file: URL) throws -> Set<String> {
        let text = try String(contentsOf: file, encoding: .utf8)
        var found: Set<String> = []
        var seen: [String: Int] = [:]
        for (_, line) in proseLines(text, blankingCode: false) {
            guard let heading = line.firstMatch(of: /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/) else { continue }
            let title = String(heading.1).replacing(/!?\[([^\]]*)\]\([^)]*\)/, with: { String($0.1) })
                .replacing(/<[^>]+>/, with: "").lowercased()
            let slug = String(
                title.unicodeScalars.filter {
                    $0 == " " || $0 == "-" || $0 == "_" || $0.properties.isAlphabetic
                        || $0.properties.numericType != nil || $0.properties.generalCategory == .nonspacingMark
                        || $0.properties.generalCategory == .spacingMark
                }.map(Character.init)
            ).replacingOccurrences(of: " ", with: "-")
            let count = seen[slug, default: 0]
            seen[slug] = count + 1
            found.insert(count == 0 ? slug : "\(slug)-\(count)")
        }
        return found
    }
}
