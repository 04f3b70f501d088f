import ArgumentParser
import Blocks

/// `dhtnode cat CID`: writes a file's bytes to stdout, in order, from the repository (through the daemon when one
/// runs).
struct CatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Write a file's bytes to stdout.",
        discussion: """
            Every block is hashed before any of its bytes are written: a corrupt or missing block stops the \
            output with an error naming its CID. --range reads only the leaves that hold the range.
            """
    )

    @OptionGroup var repo: RepoOptions
    @OptionGroup var httpSources: HTTPSourceOptions

    @Argument(help: "The file: its root CID, or CID/path inside a directory tree.")
    var cid: String

    @Option(
        help: "Bytes A up to (not including) B, or A- to the end.",
        transform: ByteRange.parse
    )
    var range: ByteRange?

    func validate() throws {
        if repo.json {
            throw ValidationError(
                "cat writes the file's own bytes, so --json does not apply: `dhtnode ls --json` describes a "
                    + "directory, `dhtnode block stat --json` a block, `dhtnode get --stats --json` a fetch")
        }
    }

    func run() async throws {
        MemoryTuning.forLargeBlocks()
        let path = try ContentPath(parsing: cid)
        if let client = try repo.daemonClient() {
            // The daemon streams the file from its repository, or from peers when blocks are missing there: it
            // answers a directory or a symbolic link with a clear error itself.
            try await client.using { client in
                let source = DaemonFileSource(client: client, sources: httpSources.query)
                let root = try await source.resolve(path)
                try await source.readFile(root, range: range, start: { _ in }) { piece in
                    try FileOutput.writeAll(1, piece, name: "stdout")
                }
            }
        } else {
            let source = RepositoryFileSource(store: try repo.openForReading())
            try await write(try await source.resolve(path), from: source)
        }
    }

    private func write(_ root: CID, from source: some FileTreeSource) async throws {
        switch try await source.node(root) {
        case .directory, .hamtShard:
            throw CLIError("\(root) is a directory (dhtnode get \(root) -o PATH writes it out)")
        case .symlink(let target):
            throw CLIError("\(root) is a symbolic link to \(UntrustedText.quoted(target)), not a file")
        case .file:
            break
        }
        try await source.readFile(root, range: range, start: { _ in }) { piece in
            try FileOutput.writeAll(1, piece, name: "stdout")
        }
    }
}
