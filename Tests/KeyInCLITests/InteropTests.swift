import Foundation
import Testing

/// Other people's clients against KeyIn: `Tests/Interop/*_test.py` drive a running `keyin serve` with a published
/// Toss Payments client library, changed only in its base URL and key. `.ci/run` installs the library and sets
/// KEYIN_TEST_INTEROP=1; without it this suite does not run.
@Suite(
    "Published Toss Payments clients against KeyIn",
    .enabled(if: ProcessInfo.processInfo.environment["KEYIN_TEST_INTEROP"] != nil), .serialized,
    .timeLimit(.minutes(3)))
struct InteropTests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Interop")

    @Test("tosspayments-python-server-sdk retrieves, looks up by order and cancels a KeyIn key-in payment")
    func tossPythonLibrary() async throws {
        try await BrowserTests.runScenarios("toss_sdk_test", in: Self.scripts)
    }
}
