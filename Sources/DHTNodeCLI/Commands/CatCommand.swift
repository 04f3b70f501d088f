import ArgumentParser
import Blocks

/// `dhtnode cat CID`: writes a file's bytes to stdout, in order, from the repository.
struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Write a file's bytes to stdout.",
        discussion: """
            Every block is hashed before any of its bytes are written: a corrupt or missing block stops the \
            output with an error naming its CID. --range reads only the leaves that hold the range.
            """
    )

    @OptionGroup var repo: RepoOptions

    @Argument(help: "The file's root CID.")
    var cid: String

    @Option(
        help: "Bytes A up to (not including) B, or A- to the end.",
        transform: ByteRange.parse
    )
    var range: ByteRange?

    func run() throws {
        MemoryTuning.forLargeBlocks()
        let root = try parseCID(cid)
        let store = try repo.openForReading()
        switch try reportingErrors({ try UnixFSNode(decoding: DirectoryTreeWriter.fetch(root, from: store)) }) {
        case .directory, .hamtShard:
            throw CLIError("\(root) is a directory (dhtnode get \(root) -o PATH writes it out)")
        case .symlink(let target):
            throw CLIError("\(root) is a symbolic link to '\(target)', not a file")
        case .file:
            break
        }
        var reader = try ParallelFileReader(root: root, store: store, range: range)
        while let piece = try reader.next() {
            try FileOutput.writeAll(1, piece, name: "stdout")
        }
    }
}
