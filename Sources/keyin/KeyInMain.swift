import KeyInCLI

/// The `keyin` executable: all behaviour lives in KeyInCLI, where tests reach it.
@main
enum KeyInMain {
    static func main() async {
        await KeyInCommand.main()
    }
}
