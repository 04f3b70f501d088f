import ArgumentParser
import Blocks
import DHTDaemon

/// `dhtnode repo verify|stat`: the repository's health and size.
struct RepoCommand: AsyncParsableCommand {
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

    struct Stat: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stat", abstract: "Count blocks, bytes and pins.")

        @OptionGroup var repo: RepoOptions

        func run() async throws {
            let stat: RepoStatDocument
            if let client = try repo.daemonClient() {
                stat = try await client.using { client in try await client.repoStat() }
            } else {
                let store = try repo.openForReading()
                let counts = try reportingErrors { try store.stat() }
                let pins = try reportingErrors { try store.pins() }
                stat = RepoStatDocument(path: store.path, counts, pins: pins.count)
            }
            print("path             \(stat.path)")
            print("version          \(stat.version)")
            print("blocks           \(stat.blocks)")
            print("bytes            \(stat.bytes)")
            print("pins             \(stat.pins)")
            print("temporary files  \(stat.temporaryFiles)")
        }
    }
}
