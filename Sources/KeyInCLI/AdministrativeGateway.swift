import ArgumentParser
import Foundation
import KeyInApp
import KeyInGateway

/// Opens the gateway's database for an administrative command (no simulator, no card-company connections), runs
/// `body`, and closes it again whether `body` succeeds or throws.
func withAdministrativeGateway<T>(dataDir: String, _ body: (GatewayServices) async throws -> T) async throws -> T {
    let configuration = try loadServerConfiguration(arguments: ["--data-dir", dataDir])
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
