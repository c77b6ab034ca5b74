import ArgumentParser
import Foundation
import KeyInApp
import KeyInGateway

/// `keyin keys rotate`: after setting a new KEYIN_MASTER_KEY and putting the old one in KEYIN_PREVIOUS_MASTER_KEYS,
/// re-wraps every stored card's (and webhook secret's) data key with the new key, so the old one can be retired.
package struct KeysCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage the master key.", subcommands: [KeysRotateCommand.self])

    package init() {}
}

package struct KeysRotateCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Re-wrap every card record with the current master key (KEYIN_MASTER_KEY).",
        discussion: "Keys being retired go in KEYIN_PREVIOUS_MASTER_KEYS (comma-separated base64) while this runs.")

    @Option(
        help:
            "Data directory, for the embedded SQLite database (default: KEYIN_DATA_DIR, the KEYIN_CONFIG file's dataDir, or ./keyin-data)."
    )
    var dataDir: String?

    package init() {}

    package func run() async throws {
        let changed: Int
        do {
            changed = try await withAdministrativeGateway(dataDir: dataDir) { try await $0.rewrapCardRecords() }
        } catch {
            throw ValidationError("키 교체 실패 · rotation failed: \(error)")
        }
        print("카드 정보·웹훅 비밀 \(changed)건을 새 마스터 키로 다시 감쌌습니다 · re-wrapped \(changed) sealed records")
    }
}
