import ChildProcesses
import Foundation
import Testing

/// The pages in a real browser: `Tests/Browser/*_test.py` (Selenium, headless Chromium) against a running
/// `keyin serve`. `.ci/run` installs Chromium, its driver and Selenium and sets KEYIN_TEST_BROWSER=1;
/// without it this suite does not run. KEYIN_SCREENSHOT_DIR keeps the screenshots (docs/screenshots is made so).
@Suite(
    "The pages in a real browser", .enabled(if: ProcessInfo.processInfo.environment["KEYIN_TEST_BROWSER"] != nil),
    .serialized, .timeLimit(.minutes(5)))
struct BrowserTests {
    /// Every `*_test.py` there; `keyin_browser.py` holds what they share.
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Browser")

    /// The hosted page (typing and grouping, field checks, a decline and a retry, a receipt, a double click,
    /// help, the console); support (live chat, an unanswered chat, inquiries); accessibility (screen-reader checks
    /// of every page, paying with the keyboard only).
    static let suites = ["hosted_page_test", "support_test", "accessibility_test"]

    @Test("Each browser script's scenarios pass, each failure named", arguments: suites)
    func browserScenarios(script: String) async throws {
        try await Self.runScenarios(script, in: Self.scripts)
    }

    /// Runs the unittest script `name` of `directory` against a fresh `keyin serve` (its URL, test key and console
    /// login in KEYIN_BASE_URL, KEYIN_SECRET_KEY, KEYIN_CONSOLE_EMAIL and KEYIN_CONSOLE_PASSWORD), and records each
    /// scenario that did not pass as an issue of its own, named.
    static func runScenarios(_ name: String, in directory: URL) async throws {
        let process = ServeCrashTests()
        let dataDirectories = (0..<3).map { _ in
            FileManager.default.temporaryDirectory.appendingPathComponent("keyin-python-\(UUID())")
        }
        defer { for directory in dataDirectories { try? FileManager.default.removeItem(at: directory) } }
        // The port is chosen here, since the public URL the pages link to must name it; a test running alongside
        // may take it before `keyin serve` binds it, and the server then stops before it says it listens. Another
        // port and a new data directory (the first may hold a demo merchant already, whose banner is not shown
        // again), then. Read up to the end of the console's sign-in line, the banner's last.
        var started: (server: ChildProcess, port: Int, banner: String)?
        for dataDirectory in dataDirectories where started == nil {
            let port = try freeLoopbackPort()
            let (server, output, _) = try await process.launch(
                ["serve", "--data-dir", dataDirectory.path, "--port", String(port)],
                environment: ["KEYIN_PUBLIC_URL": "http://127.0.0.1:\(port)"])
            if let banner = await process.read(output, until: /console: \S+\s+\S+ \/ (\S+)\n/) {
                started = (server, port, banner)
            } else {
                server.interrupt()
            }
        }
        let (server, port, banner) = try #require(started, "keyin serve did not start on three free ports")
        defer { server.interrupt() }
        let key = String(try #require(banner.firstMatch(of: /(test_sk_[A-Za-z0-9]+)/)?.1))
        let login = try #require(banner.firstMatch(of: /console: \S+\s+(\S+) \/ (\S+)/))

        var environment: [String: String] = [:]
        environment["KEYIN_BASE_URL"] = "http://127.0.0.1:\(port)"
        environment["KEYIN_SECRET_KEY"] = key
        environment["KEYIN_CONSOLE_EMAIL"] = String(login.1)
        environment["KEYIN_CONSOLE_PASSWORD"] = String(login.2)
        let discover = ["-m", "unittest", "discover", "-v", "-s", directory.path, "-p", "\(name).py"]
        let (status, log) = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3"] + discover, environment: environment)
        let scenarios = Self.scenarios(in: log)
        let declared = try String(contentsOf: directory.appendingPathComponent("\(name).py"), encoding: .utf8)
            .matches(of: /(?m)^    def (test_\w+)/).map { String($0.1) }
        #expect(Set(scenarios.map(\.name)) == Set(declared), "\(name): not every scenario reported\n\(log)")
        for (scenario, verdict) in scenarios where verdict != "ok" {
            Issue.record("\(name): \(scenario) \(verdict)\n\(log)")
        }
        #expect(status == 0, "\(name) exited \(status)\n\(log)")
    }

    /// `test_name (module.Class.test_name) ... ok` lines of `unittest -v`: each scenario and its verdict.
    static func scenarios(in log: String) -> [(name: String, verdict: String)] {
        log.matches(of: /(?m)^(test_\w+) \([\w.]+\)[^\n]*? \.\.\. (ok|FAIL|ERROR|skipped[^\n]*)$/).map {
            (String($0.1), String($0.2))
        }
    }

}
