import ArgumentParser
import Blocks

/// `dhtnode gc`: deletes every block that no pin reaches.
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete blocks that no pin reaches, and temporary files left by interrupted writes."
    )

    @OptionGroup var repo: RepoOptions

    func run() throws {
        let store = try repo.openForWriting()
        let report = try reportingErrors { try store.gc() }
        print(
            "removed \(report.removedBlockCount) blocks (\(report.removedByteCount) bytes) and "
                + "\(report.removedTemporaryFileCount) temporary files; kept \(report.keptBlockCount) blocks"
        )
    }
}
