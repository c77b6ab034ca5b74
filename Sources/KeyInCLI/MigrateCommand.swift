import ArgumentParser
import Foundation
import KeyInApp
import KeyInGateway

/// `keyin migrate`: applies the database migrations (`keyin serve` also does on start).
package struct MigrateCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply the database migrations to DATABASE_URL (or the embedded SQLite file)."
    )

    @Option(
        help:
            "Data directory, for the embedded SQLite database (default: KEYIN_DATA_DIR, the KEYIN_CONFIG file's dataDir, or ./keyin-data)."
    )
    var dataDir: String?

    package init() {}

    package func run() async throws {
        // Opening the database applies the migrations.
        try await withAdministrativeGateway(dataDir: dataDir) { _ in }
        print("마이그레이션 완료 · migrations applied")
    }
}
