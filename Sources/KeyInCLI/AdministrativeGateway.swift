import ArgumentParser
import Foundation
import KeyInApp
import KeyInGateway

/// Opens the gateway's database for an administrative command (no simulator, no card-company connections), runs
/// `body`, and closes it again whether `body` succeeds or throws.
/// `dataDir` is the command's `--data-dir`: when not given, the data directory comes from the environment or the
/// settings file, as for `keyin serve`, so both always open the same database.
func withAdministrativeGateway<T>(dataDir: String?, _ body: (GatewayServices) async throws -> T) async throws -> T {
    let configuration = try loadServerConfiguration(arguments: dataDir.map { ["--data-dir", $0] } ?? [])
    let gateway = try await GatewayRuntime.start(configuration, purpose: .administer)
    do {
        let result = try await body(gateway.services)
        await gateway.shutdown()
        return result
    } catch {
        await gateway.shutdown()
        throw error
    }
}

/// Prints one JSON object, keys sorted, as the `--json` flags promise.
func printJSON(_ object: [String: Any]) throws {
    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
}
