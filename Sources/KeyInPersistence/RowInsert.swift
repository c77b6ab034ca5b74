import FluentKit
import FluentSQL

/// One row to insert, column by column, written as a single SQL `INSERT`.
///
/// The rows a payment writes go this way instead of through Fluent's `Model.create`, which reflects over every
/// property of the model (a `Mirror` and runtime type lookups) on each call: about half a millisecond of CPU a row,
/// spent on the single group-commit writer's path. The values are bound exactly as Fluent binds a model's fields
/// (the same SQLKit binds, through the same driver encoders), so a row written here reads back through its model.
struct RowInsert {
    let table: String
    private(set) var columns: [String] = []
    private(set) var values: [any SQLExpression] = []

    init(into table: String) {
        self.table = table
    }

    /// Sets a column; nil writes SQL `NULL`, as Fluent writes an empty optional field.
    mutating func set<Value: Encodable & Sendable>(_ column: String, _ value: Value?) {
        columns.append(column)
        values.append(value.map { SQLBind($0) } ?? SQLLiteral.null)
    }

    func run(on database: any Database) async throws {
        try await database.sql.insert(into: table).columns(columns).values(values).run()
    }
}
