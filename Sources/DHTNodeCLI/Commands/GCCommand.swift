import ArgumentParser
import Blocks
import DHTDaemon

/// `dhtnode gc`: deletes every block that no pin reaches (through the daemon when one runs).
struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete blocks that no pin reaches, and temporary files left by interrupted writes."
    )

    @OptionGroup var repo: RepoOptions

    func run() async throws {
        let report: GCDocument
        if let client = try repo.daemonClient() {
            report = try await client.using { client in try await client.gc() }
        } else {
            let store = try repo.openForWriting()
            report = GCDocument(try reportingErrors { try store.gc() })
        }
        if repo.json { return try repo.printJSON(report) }
        print(
            "removed \(report.removedBlocks) blocks (\(report.removedBytes) bytes) and "
                + "\(report.removedTemporaryFiles) temporary files; kept \(report.keptBlocks) blocks"
        )
    }
}
