import CardNetworkLink
import CardNetworkLinkTesting
import ChildProcesses
import Foundation
import KeyInCore
import Synchronization
import Testing

/// The link against a card-company host written apart from KeyIn (`Tests/Interop/iso8583_host.py`, on PyPI's
/// pyiso8583): approvals, declines, a late answer that must be reversed, and an echo, with a host that echoes
/// KeyIn's element 37, one that assigns its own and one that leaves it out. `.ci/run` installs pyiso8583 and sets
/// KEYIN_TEST_INTEROP=1; without it this suite does not run.
@Suite(
    "The link against an independent ISO 8583 host (pyiso8583)",
    .enabled(if: ProcessInfo.processInfo.environment["KEYIN_TEST_INTEROP"] != nil), .serialized,
    .timeLimit(.minutes(1)))
struct IndependentHostTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Interop/iso8583_host.py")

    @Test("Approve, decline, late answer reversed, echo", arguments: ["echo", "assign", "omit"])
    func conversation(rrn: String) async throws {
        let host = try await HostProcess(arguments: [Self.script.path, "--rrn", rrn, "--late-ms", "30000"])
        defer { host.stop() }
        let port = try #require(await host.line { $0.hasPrefix("listening ") }.flatMap { Int($0.dropFirst(10)) })
        var configuration = LinkConfiguration(hosts: ["default": .init(host: "127.0.0.1", port: port)])
        configuration.echoInterval = .zero
        configuration.initialReversalBackoff = .milliseconds(100)
        // The response timeout runs on a hand clock: it passes once the host holds the late approval (for 30 s,
        // longer than the test runs), not when a busy test run leaves an answer unread for a second.
        let clock = ManualClock()
        let link = CardNetworkLink(configuration: configuration, clock: clock)
        defer { Task { await link.shutdown() } }

        func newTrace() -> TransactionTrace { link.newTrace(terminalID: "INTEROP1", merchantID: "M00000000000001") }
        func pay(_ card: String, trace: TransactionTrace) async -> Result<CardApproval, KeyInError> {
            do throws(KeyInError) {
                return .success(try await link.authorize(LinkHarness.sale(card), trace: trace))
            } catch {
                return .failure(error)
            }
        }
        func pay(_ card: String) async -> (TransactionTrace, Result<CardApproval, KeyInError>) {
            let trace = newTrace()
            return (trace, await pay(card, trace: trace))
        }

        let (approvedTrace, approved) = await pay("4242424242424242")
        let approval = try approved.get()
        let seen = try #require(await host.record { $0["stan"] as? String == approvedTrace.systemTraceAuditNumber })
        let sent = try #require(seen["sentRRN"] as? String)
        #expect(sent.count == 12, "KeyIn sends its own element 37")
        #expect(approval.retrievalReferenceNumber == (rrn == "assign" ? seen["answeredRRN"] as? String : sent))

        #expect(await pay("4000000000000002").1.failureCode == .rejectCardCompany)

        let lateTrace = newTrace()
        let lateAttempt = Task { await pay("4000000000009912", trace: lateTrace) }
        _ = await host.record {
            $0["mti"] as? String == "0200" && $0["stan"] as? String == lateTrace.systemTraceAuditNumber
        }
        clock.advance(by: configuration.responseTimeout)
        #expect(await lateAttempt.value.failureCode == .cardCompanyResponseTimeout)
        let reversal = await host.record {
            ($0["mti"] as? String)?.hasPrefix("040") == true
                && $0["originalSTAN"] as? String == lateTrace.systemTraceAuditNumber
        }
        #expect(reversal?["code"] as? String == "00", "the late approval is reversed")

        #expect(await link.checkHealth(forCompany: "41"))
        #expect(await host.record { $0["mti"] as? String == "0800" && $0["networkCode"] as? String == "301" } != nil)
    }
}

/// `python3 <arguments>` with its output read line by line; a JSON line is a record of what the host handled.
/// (Unchecked: `Pipe` is not marked Sendable; its write end is only closed, from the test.)
private final class HostProcess: @unchecked Sendable {
    private let process: ChildProcess
    private let input = Pipe()
    private let lines: AsyncStream<String>
    private let seen = Mutex<[String]>([])

    init(arguments: [String]) async throws {
        let output = Pipe()
        // Its own pipes only: a child left holding the test runner's output would keep `swift test` waiting for
        // ever. Its input closes when this process ends, which ends the host too.
        process = try await ChildProcess.launch(
            URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3"] + arguments, standardInput: .pipe(input),
            standardOutput: .pipe(output))
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        self.lines = lines
        let handle = output.fileHandleForReading
        // The reading blocks a thread of its own, never one of Swift's concurrency.
        Thread {
            var data = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
                while let newline = data.firstIndex(of: 0x0A) {
                    continuation.yield(String(decoding: data[data.startIndex..<newline], as: UTF8.self))
                    data.removeSubrange(data.startIndex...newline)
                }
            }
            continuation.finish()
        }.start()
    }

    /// The first line, earlier ones included, that matches.
    func line(where matches: (String) -> Bool) async -> String? {
        if let earlier = seen.withLock({ $0.first(where: matches) }) { return earlier }
        for await line in lines {
            seen.withLock { $0.append(line) }
            if matches(line) { return line }
        }
        return nil
    }

    /// The first record, earlier ones included, that matches.
    func record(where matches: ([String: Any]) -> Bool) async -> [String: Any]? {
        func decode(_ line: String) -> [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        return await line { decode($0).map(matches) ?? false }.flatMap(decode)
    }

    /// Ends the host. Not waited for: a test's `defer` cannot wait.
    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
    }
}
