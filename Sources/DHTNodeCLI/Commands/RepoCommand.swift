import ArgumentParser
import Blocks

/// `dhtnode repo verify|stat`: the repository's health and size.
struct RepoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repo",
        abstract: "Check or describe the block repository.",
        subcommands: [Verify.self, Stat.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Rehash every block; list the corrupt ones (exit status 1 if there are any)."
        )

        @OptionGroup var repo: RepoOptions

        func run() throws {
            let store = try repo.openForReading()
            let report = try reportingErrors { try store.verify() }
            for file in report.corrupt { print("corrupt: \(file)") }
            if report.isHealthy {
                print("verified \(report.checkedCount) blocks: all match their hashes")
            } else {
                throw CLIError(
                    "\(report.corrupt.count) of \(report.checkedCount) block files failed verification"
                )
            }
        }
    }

    struct Stat: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stat", abstract: "Count blocks, bytes and pins.")

        @OptionGroup var repo: RepoOptions

        func run() throws {
            let store = try repo.openForReading()
            let stat = try reportingErrors { try store.stat() }
            let pins = try reportingErrors { try store.pins() }
            print("path             \(store.path)")
            print("version          \(FileBlockStore.layoutVersion)")
            print("blocks           \(stat.blockCount)")
            print("bytes            \(stat.byteCount)")
            print("pins             \(pins.count)")
            print("temporary files  \(stat.temporaryFileCount)")
        }
    }
}
