import Foundation
import Yams

/// openapi.yaml as a contract: finds the schema of a documented response and lists every way a JSON value breaks
/// it. Covers the JSON Schema the document uses: `$ref`, `type` (one, or a list such as `[string, "null"]`),
/// `oneOf`, `required`, `properties`,
/// `additionalProperties`, `items`, `enum`, `pattern`, `minLength`/`maxLength`, `minimum`/`maximum`, and
/// `format: date-time` / `uuid`.
struct OpenAPIContract {
    let document: JSONValue

    init(yaml: String) throws {
        document = try YAMLDecoder().decode(JSONValue.self, from: yaml)
    }

    /// Every `(METHOD, /path/{template})` the document describes.
    var operations: Set<Operation> {
        var result: Set<Operation> = []
        for (path, item) in document["paths"]?.object ?? [:] {
            for method in (item.object ?? [:]).keys where Self.methods.contains(method) {
                result.insert(Operation(method: method.uppercased(), path: path))
            }
        }
        return result
    }

    struct Operation: Hashable, CustomStringConvertible {
        let method: String
        let path: String
        var description: String { "\(method) \(path)" }
    }

    static let methods: Set<String> = ["get", "post", "put", "patch", "delete"]

    /// The response `operation` documents for `status` (or its `default`).
    func response(for operation: Operation, status: Int) -> JSONValue? {
        guard let responses = document["paths"]?[operation.path]?[operation.method.lowercased()]?["responses"],
            let response = responses[String(status)] ?? responses["default"]
        else { return nil }
        return resolve(response)
    }

    /// The media types (with their schemas) the response `operation` documents for `status` (or its `default`).
    func responseContent(for operation: Operation, status: Int) -> [String: JSONValue]? {
        response(for: operation, status: status)?["content"]?.object
    }

    /// The JSON schema of the response `operation` documents for `status` (or its `default`).
    func responseSchema(for operation: Operation, status: Int) -> JSONValue? {
        responseContent(for: operation, status: status)?["application/json"]?["schema"]
    }

    func schema(named name: String) -> JSONValue? { document["components"]?["schemas"]?[name] }

    /// Every way `value` breaks `schema`, each as `pointer: problem`.
    func violations(of value: JSONValue, against schema: JSONValue, at pointer: String = "") -> [String] {
        let schema = resolve(schema)
        var problems: [String] = []
        let here = pointer.isEmpty ? "/" : pointer
        if let type = schema["type"]?.string, !Self.matches(value, type: type) {
            return ["\(here): expected \(type), got \(Self.kind(of: value))"]
        }
        // OpenAPI 3.1 names a nullable type as a list: `type: [string, "null"]`.
        if let types = schema["type"]?.array?.compactMap(\.string),
            !types.contains(where: { Self.matches(value, type: $0) })
        {
            return ["\(here): expected one of \(types), got \(Self.kind(of: value))"]
        }
        if let alternatives = schema["oneOf"]?.array {
            let fitting = alternatives.filter { violations(of: value, against: $0, at: pointer).isEmpty }
            if fitting.count != 1 {
                return ["\(here): matches \(fitting.count) of the oneOf alternatives, not exactly one"]
            }
        }
        if let allowed = schema["enum"]?.array, !allowed.contains(value) {
            problems.append("\(here): \(value) is not one of the documented values")
        }
        switch value {
        case .object(let object):
            for name in schema["required"]?.array?.compactMap(\.string) ?? [] where object[name] == nil {
                problems.append("\(here): required property \(name) is missing")
            }
            let properties = schema["properties"]?.object ?? [:]
            for (name, member) in object {
                if let propertySchema = properties[name] {
                    problems += violations(of: member, against: propertySchema, at: "\(pointer)/\(name)")
                } else if let additional = schema["additionalProperties"] {
                    if additional == .bool(false) {
                        problems.append("\(here): property \(name) is not documented")
                    } else if additional.object != nil {
                        problems += violations(of: member, against: additional, at: "\(pointer)/\(name)")
                    }
                }
            }
        case .array(let items):
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() {
                    problems += violations(of: item, against: itemSchema, at: "\(pointer)/\(index)")
                }
            }
        case .string(let text):
            if let pattern = schema["pattern"]?.string, text.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(here): \"\(text)\" does not match \(pattern)")
            }
            if case .integer(let minimum)? = schema["minLength"], text.count < minimum {
                problems.append("\(here): shorter than \(minimum)")
            }
            if case .integer(let maximum)? = schema["maxLength"], text.count > maximum {
                problems.append("\(here): longer than \(maximum)")
            }
            switch schema["format"]?.string {
            case "date-time"?:
                if (try? Date(text, strategy: .iso8601)) == nil {
                    problems.append("\(here): \"\(text)\" is not a date-time")
                }
            case "uuid"?:
                if UUID(uuidString: text) == nil { problems.append("\(here): \"\(text)\" is not a uuid") }
            default: break
            }
        case .integer(let number):
            if case .integer(let minimum)? = schema["minimum"], number < minimum {
                problems.append("\(here): below \(minimum)")
            }
            if case .integer(let maximum)? = schema["maximum"], number > maximum {
                problems.append("\(here): above \(maximum)")
            }
        default:
            break
        }
        return problems
    }

    /// Follows `$ref`s within the document.
    func resolve(_ value: JSONValue) -> JSONValue {
        guard let reference = value["$ref"]?.string, reference.hasPrefix("#/") else { return value }
        var target = document
        for part in reference.dropFirst(2).split(separator: "/") {
            guard let next = target[String(part)] else { return .null }
            target = next
        }
        return resolve(target)
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null),
            ("integer", .integer), ("number", .integer), ("number", .number):
            true
        default: false
        }
    }

    static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
