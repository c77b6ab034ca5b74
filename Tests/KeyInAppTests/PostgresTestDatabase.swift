import FluentPostgresDriver
import FluentSQL
import Foundation
import Vapor

/// A throwaway database on the CI PostgreSQL server, one per test, so tests running in parallel never share rows.
enum PostgresTestDatabase {
    static func create(adminURL: String, app: Application) async throws -> String {
        let name = "keyin_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = DatabaseID(string: "postgres-admin")
        try app.databases.use(.postgres(url: adminURL), as: admin, isDefault: false)
        guard let sql = app.db(admin) as? any SQLDatabase else { throw Abort(.internalServerError) }
        try await sql.raw("CREATE DATABASE \(unsafeRaw: String(name))").run()
        guard var components = URLComponents(string: adminURL) else { throw Abort(.internalServerError) }
        components.path = "/" + name
        return components.string ?? adminURL
    }
}
