import ArgumentParser
import Blocks
import DHTDaemon

/// `dhtnode car export|import`: CAR v1 files.
struct CARCommand: AsyncParsableCommand {
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
            if repo.json {
                return try repo.printJSON(
                    CARExportDocument(
                        root: root.v1.description, output: output, blocks: result.blockCount, bytes: result.byteCount))
            }
            print("exported \(root) to \(output): \(result.blockCount) blocks, \(result.byteCount) bytes")
        }
    }

    struct Import: AsyncParsableCommand {
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

        func run() async throws {
            let document: CARImportDocument
            if let client = try repo.daemonClient() {
                // The daemon holds the repository: the file goes to it as it is read, and it checks every block.
                let input = try InputFile(path: file)
                let upload = UploadStream(reading: input, pieceBytes: BlockRepository.importPieceBytes)
                defer { upload.cancel() }
                document = try await client.using { client in
                    try await client.importCAR(upload, length: input.size.map { Int64($0) }, pin: pin)
                }
            } else {
                let store = try repo.openForWriting()
                let result = try reportingErrors { try store.importCAR(fromFile: file) }
                var pinned: [String] = []
                if pin {
                    for root in result.roots {
                        try reportingErrors { try store.pin(root) }
                        pinned.append(root.v1.description)
                    }
                }
                document = CARImportDocument(
                    roots: result.roots.map(\.v1.description), blocks: result.blockCount, bytes: result.byteCount,
                    pinned: pinned)
            }
            if repo.json { return try repo.printJSON(document) }
            print("imported \(document.blocks) blocks (\(document.bytes) bytes) from \(file)")
            for root in document.roots {
                print(pin ? "pinned \(root)" : "root \(root)")
            }
            AddCommand.noteAnnouncement(document.announcement, quiet: false)
        }
    }
}

/// `car export --json`: what was written where.
private struct CARExportDocument: Encodable {
    var root: String
    var output: String
    var blocks: Int
    var bytes: UInt64
}
