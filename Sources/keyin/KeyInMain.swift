import Foundation
import KeyInCLI

/// The `keyin` executable: all behaviour lives in KeyInCLI, where tests reach it.
@main
enum KeyInMain {
    static func main() async {
        switch LoggingSetup.level(from: ProcessInfo.processInfo.environment) {
        case .success(let level):
            LoggingSetup.bootstrap(level: level)
        case .failure(let problem):
            FileHandle.standardError.write(Data((problem.message + "\n").utf8))
            exit(78)  // EX_CONFIG
        }
        await KeyInCommand.main()
    }
}
