import Foundation
import Subprocess
import Synchronization

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// A program the tests start and stop as an operator would: `keyin serve` killed mid-payment, an ISO 8583 host
/// written in Python, a browser script.
///
/// Built on swift-subprocess rather than Foundation's `Process`: on Linux the Foundation of Swift 6.3 reads past
/// the end of a buffer while listing `/proc/self/fd` before every launch (swift-corelibs-foundation #5472), and
/// the test process, with a hundred gateways open at once, has enough descriptors to crash it there.
public final class ChildProcess: Sendable {
    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// The child's end of a pipe; the parent's copy of that end is closed once the child has it, so the
        /// other end sees the end of the stream when the child exits.
        case pipe(Pipe)
        /// A file (or any descriptor) the caller keeps and closes.
        case file(FileHandle)
    }

    public let processIdentifier: pid_t
    private let termination: Task<TerminationStatus, any Error>
    private let exited = Atomic<Bool>(false)

    private init(processIdentifier: pid_t, termination: Task<TerminationStatus, any Error>) {
        self.processIdentifier = processIdentifier
        self.termination = termination
    }

    /// Starts `executable` and returns once it runs. `environment` is added to this process's own.
    public static func launch(
        _ executable: URL, arguments: [String], environment: [String: String] = [:],
        standardInput: Stream = .null, standardOutput: Stream = .null, standardError: Stream = .null
    ) async throws -> ChildProcess {
        let null = try FileHandle(forUpdating: URL(fileURLWithPath: "/dev/null"))
        defer { try? null.close() }
        func descriptor(_ stream: Stream, childReads: Bool) -> FileDescriptor {
            switch stream {
            case .null: FileDescriptor(rawValue: null.fileDescriptor)
            case .pipe(let pipe):
                FileDescriptor(
                    rawValue: childReads
                        ? pipe.fileHandleForReading.fileDescriptor : pipe.fileHandleForWriting.fileDescriptor)
            case .file(let handle): FileDescriptor(rawValue: handle.fileDescriptor)
            }
        }
        var overrides: [Environment.Key: String?] = [:]
        for (name, value) in environment {
            if let key = Environment.Key(rawValue: name) { overrides[key] = value }
        }
        let configuration = Configuration(
            executable: .path(FilePath(executable.path)), arguments: Arguments(arguments),
            environment: .inherit.updating(overrides))
        let input = descriptor(standardInput, childReads: true)
        let output = descriptor(standardOutput, childReads: false)
        let error = descriptor(standardError, childReads: false)

        let (started, startedContinuation) = AsyncThrowingStream<pid_t, any Error>.makeStream()
        // `run` returns only when the child has ended; the task holds it for `waitUntilExit`.
        let termination = Task<TerminationStatus, any Error> {
            do {
                let outcome = try await Subprocess.run(
                    configuration, input: .fileDescriptor(input, closeAfterSpawningProcess: false),
                    output: .fileDescriptor(output, closeAfterSpawningProcess: false),
                    error: .fileDescriptor(error, closeAfterSpawningProcess: false)
                ) { execution in
                    startedContinuation.yield(execution.processIdentifier.value)
                    startedContinuation.finish()
                }
                return outcome.terminationStatus
            } catch {
                startedContinuation.finish(throwing: error)
                throw error
            }
        }
        var pids = started.makeAsyncIterator()
        guard let pid = try await pids.next() else { throw CancellationError() }
        if case .pipe(let pipe) = standardInput { try? pipe.fileHandleForReading.close() }
        // Output and error may share one pipe: its end is closed once.
        for case .pipe(let pipe) in [standardOutput, standardError] { try? pipe.fileHandleForWriting.close() }

        let child = ChildProcess(processIdentifier: pid, termination: termination)
        Task {
            _ = try? await termination.value
            child.exited.store(true, ordering: .sequentiallyConsistent)
        }
        return child
    }

    /// Runs `executable` to its end and returns its exit status and its output (standard output and error
    /// together), after writing `standardInput` to it.
    public static func run(
        _ executable: URL, arguments: [String], environment: [String: String] = [:], standardInput: String = ""
    ) async throws -> (status: Int32, output: String) {
        let input = Pipe()
        let output = Pipe()
        let child = try await launch(
            executable, arguments: arguments, environment: environment, standardInput: .pipe(input),
            standardOutput: .pipe(output), standardError: .pipe(output))
        let writer = input.fileHandleForWriting
        let reader = output.fileHandleForReading
        let text = await readOnThread { () -> String? in
            writer.write(Data(standardInput.utf8))
            try? writer.close()
            return String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
        }
        try Task.checkCancellation()
        return (try await child.waitUntilExit(), text ?? "")
    }

    /// Runs a blocking read on a thread of its own, never one of Swift's concurrency, and returns what it returns;
    /// nil at once when the task is cancelled (a test's time limit), however long the read still blocks: a child
    /// that never prints cannot hold the test run up. The thread ends when the read does (the child's end).
    public static func readOnThread<T: Sendable>(_ work: @escaping @Sendable () -> T?) async -> T? {
        let waiting = Mutex<(continuation: CheckedContinuation<T?, Never>?, answered: Bool)>((nil, false))
        @Sendable func answer(_ value: T?) {
            let continuation = waiting.withLock { state in
                defer { state = (nil, true) }
                return state.continuation
            }
            continuation?.resume(returning: value)
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answered = waiting.withLock { state in
                    if !state.answered { state.continuation = continuation }
                    return state.answered
                }
                if answered {
                    continuation.resume(returning: nil)
                } else {
                    Thread { answer(work()) }.start()
                }
            }
        } onCancel: {
            answer(nil)
        }
    }

    public var isRunning: Bool { !exited.load(ordering: .sequentiallyConsistent) }

    /// Waits for the child to end and returns its exit status, or 128 + the signal's number for a child a signal
    /// ended (as a shell reports it).
    @discardableResult
    public func waitUntilExit() async throws -> Int32 {
        switch try await termination.value {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    /// Sends `signal` unless the child has already ended (its process id may then be another's).
    public func send(_ signal: Int32) {
        guard isRunning else { return }
        kill(processIdentifier, signal)
    }

    /// SIGINT: how an operator's Ctrl-C stops a server gracefully.
    public func interrupt() { send(SIGINT) }

    /// SIGTERM: what a service manager sends.
    public func terminate() { send(SIGTERM) }

    /// SIGKILL: a crash, with no chance to clean up.
    public func killNow() { send(SIGKILL) }
}
