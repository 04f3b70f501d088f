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

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Rehash every block; list the corrupt ones (exit status 1 if there are any)."
        )

        @OptionGroup var repo: RepoOptions

        func run() async throws {
            let report: VerifyDocument
            if let client = try repo.daemonClient() {
                report = try await client.using { client in try await client.verifyRepository() }
            } else {
                let store = try repo.openForReading()
                let checked = try reportingErrors { try store.verify() }
                report = VerifyDocument(checkedBlocks: checked.checkedCount, corruptFiles: checked.corrupt.map(\.description))
            }
            if repo.json {
                try repo.printJSON(report)
            } else {
                for file in report.corruptFiles { print("corrupt: \(UntrustedText.escaped(file))") }
            }
            guard report.corruptFiles.isEmpty else {
                throw CLIError("\(report.corruptFiles.count) of \(report.checkedBlocks) block files failed verification")
            }
            if !repo.json { print("verified \(report.checkedBlocks) blocks: all match their hashes") }
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
            if repo.json { return try repo.printJSON(stat) }
            print("path             \(stat.path)")
            print("version          \(stat.version)")
            print("blocks           \(stat.blocks)")
            print("bytes            \(stat.bytes)")
            print("pins             \(stat.pins)")
            print("temporary files  \(stat.temporaryFiles)")
            if stat.referencedBlocks > 0 {
                print("in files         \(stat.referencedBlocks) blocks, \(stat.referencedBytes) bytes (written by get -o)")
            }
        }
    }
}

