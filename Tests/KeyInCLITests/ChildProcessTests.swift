import ChildProcesses
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The tests start `keyin` and Python scripts while a hundred gateways run in the same test process. A child must
/// start however many descriptors that process holds, and inherit none of them: a child holding a test's
/// listening socket or pipe would keep its port taken, or `swift test` waiting, after the test ends.
@Suite("Child processes of the tests", .timeLimit(.minutes(1)))
struct ChildProcessTests {
    @Test("A child starts while this process holds 300 more descriptors, and inherits only its three streams")
    func manyDescriptorsOpen() async throws {
        // Not more: the tests running alongside hold over a thousand descriptors of their own.
        let extra = (0..<300).map { _ in open("/dev/null", O_RDONLY) }
        defer { for descriptor in extra where descriptor >= 0 { close(descriptor) } }
        #expect(extra.allSatisfy { $0 >= 0 }, "the limit on open files is below what this test needs")

        for _ in 0..<20 {
            let (status, output) = try await ChildProcess.run(
                URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "ls /proc/$$/fd"])
            #expect(status == 0)
            let inherited = output.split(separator: "\n").compactMap { Int($0) }.filter { $0 > 2 }
            // The shell may hold one of its own (its script or the directory it lists), never one of ours.
            #expect(inherited.count <= 1, "the child inherited \(inherited.count) descriptors")
        }
    }

    @Test("A child killed by a signal reports 128 + its number, as a shell does; one that exits, its exit code")
    func killed() async throws {
        let child = try await ChildProcess.launch(URL(fileURLWithPath: "/bin/sleep"), arguments: ["60"])
        #expect(child.isRunning)
        child.killNow()
        #expect(try await child.waitUntilExit() == 128 + SIGKILL)
        #expect(try await ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "exit 3"]).status == 3)
    }

    @Test("Waiting for output a child never prints ends when the test is cancelled (as its time limit does)")
    func cancelledWait() async throws {
        let output = Pipe()
        let child = try await ChildProcess.launch(
            URL(fileURLWithPath: "/bin/sleep"), arguments: ["60"], standardOutput: .pipe(output))
        defer { child.killNow() }
        let handle = output.fileHandleForReading
        let wait = Task { await ChildProcess.readOnThread { handle.availableData.isEmpty ? nil : "printed" } }
        wait.cancel()
        #expect(await wait.value == nil)
        #expect(child.isRunning)
    }
}
