import FluentKit
import FluentSQL

/// One row to insert, column by column, written as a single SQL `INSERT`.
///
/// The rows a payment writes go this way instead of through Fluent's `Model.create`, which reflects over every
/// property of the model (a `Mirror` and runtime type lookups) on each call: about half a millisecond of CPU a row,
/// spent on the single group-commit writer's path. The values are bound exactly as Fluent binds a model's fields
/// (the same SQLKit binds, through the same driver encoders), so a row written here reads back through its model.
/// Its text is spelled out here rather than built by SQLKit's insert, whose quoting of each identifier (a generic
/// string replace) cost more than the statement's own run: table and column names are KeyIn's own lowercase
/// names, quoted alike by SQLite and PostgreSQL.
struct RowInsert: SQLExpression {
    let table: String
    private var columns: [String] = []
    private var values: [(any Encodable & Sendable)?] = []

    init(into table: String) {
        self.table = table
    }

    /// Sets a column; nil writes SQL `NULL`, as Fluent writes an empty optional field.
    mutating func set<Value: Encodable & Sendable>(_ column: String, _ value: Value?) {
        columns.append(column)
        values.append(value)
    }

    func run(on database: any Database) async throws {
        try await database.sql.execute(sql: self) { _ in }
    }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("INSERT INTO \"\(table)\" (")
        serializer.write(columns.lazy.map { "\"\($0)\"" }.joined(separator: ", "))
        serializer.write(") VALUES (")
        for (index, value) in values.enumerated() {
            if index > 0 { serializer.write(", ") }
            if let value { serializer.write(bind: value) } else { serializer.write("NULL") }
        }
        serializer.write(")")
    }
}
