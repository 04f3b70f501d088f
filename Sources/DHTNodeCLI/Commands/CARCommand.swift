import ArgumentParser
import Blocks

/// `dhtnode car export|import`: CAR v1 files.
struct CARCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "car",
        abstract: "Export a DAG to a CAR v1 file, or import one.",
        subcommands: [Export.self, Import.self]
    )

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write the DAG under CID to a CAR v1 file (depth-first, each block once)."
        )

        @OptionGroup var repo: RepoOptions

        @Argument(help: "The root CID.")
        var cid: String

        @Option(name: [.customShort("o"), .customLong("output")], help: "The CAR file to write.")
        var output: String

        func run() throws {
            let root = try parseCID(cid)
            let store = try repo.openForReading()
            let result = try reportingErrors { try CARWriter.export(root: root, from: store, toFile: output) }
            print("exported \(root) to \(output): \(result.blockCount) blocks, \(result.byteCount) bytes")
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a CAR v1 file, all or nothing; pin its roots.",
            discussion: """
                Every block is checked against its CID; on any mismatch, truncation or bad header the file is \
                rejected with the byte offset of the problem and nothing from it is kept.
                """
        )

        @OptionGroup var repo: RepoOptions

        @Argument(help: "The CAR file.")
        var file: String

        @Option(help: "Pin the header's roots after the import (true or false); their DAGs must be complete.")
        var pin: Bool = true

        func run() throws {
            let store = try repo.openForWriting()
            let result = try reportingErrors { try store.importCAR(fromFile: file) }
            print("imported \(result.blockCount) blocks (\(result.byteCount) bytes) from \(file)")
            for root in result.roots {
                if pin {
                    try reportingErrors { try store.pin(root) }
                    print("pinned \(root.v1)")
                } else {
                    print("root \(root)")
                }
            }
        }
    }
}
