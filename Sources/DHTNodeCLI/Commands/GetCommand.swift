import ArgumentParser
import Blocks
import Foundation

/// `dhtnode get CID -o PATH`: writes a file or a directory tree out of the repository; `dhtnode get KEY`: the values
/// under a key in the DHT, through the running daemon.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract:
            "Write a file or a directory from the repository to PATH (with -o), or print the DHT values under KEY.",
        discussion: """
            With -o PATH: the bytes go to a temporary file next to PATH, renamed to PATH only when every block \
            checked out: a corrupt or missing block leaves PATH untouched. A directory is written the same way, \
            as a tree (files, subdirectories, symbolic links) in a temporary folder renamed to PATH at the end.

            Without -o: asks the running daemon (see `dhtnode run`) for the values stored under KEY in the DHT \
            (KEY as for `put`: 64 hex digits, or text to hash) and prints them, one per line; exits with status \
            1 when there is none.
            """
    )

    @OptionGroup var repo: RepoOptions

    @OptionGroup var daemon: DaemonClientOptions

    @Argument(help: "The file's root CID (with -o), or the DHT key.")
    var cid: String

    @Option(name: [.customShort("o"), .customLong("output")], help: "Where to write the file.")
    var output: String?

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "No progress bar.")
    var quiet = false

    @Flag(help: "Print the fetch's statistics (time to first and last byte, bytes per peer, duplicates); with --json as JSON.")
    var stats = false

    func run() async throws {
        guard let output else {
            return try await DHTValueGet(daemon: daemon, key: cid).run()
        }
        MemoryTuning.forLargeBlocks()
        let root = try parseCID(cid)
        if let client = try repo.daemonClient(dataPath: daemon.dataPath) {
            try await client.using { client in
                // The daemon first fetches what its repository lacks (from connected peers and providers found in
                // the DHT), then the file is written out of the repository.
                let fetched = try await client.fetch(root)
                try await write(root, from: DaemonFileSource(client: client), to: output)
                if stats { try FetchReport(fetched).print(json: daemon.json) }
            }
        } else {
            if stats { throw CLIError("--stats needs a running daemon (`dhtnode run`): only it fetches from peers") }
            try await write(root, from: RepositoryFileSource(store: try repo.openForReading()), to: output)
        }
    }

    private func write(_ root: CID, from source: some FileTreeSource, to output: String) async throws {
        switch try await source.node(root) {
        case .directory(let entries):
            let progress = ProgressBar(label: "get", total: nil, enabled: !quiet && FileOutput.standardErrorIsTerminal)
            var writer = DirectoryTreeWriter(source: source, progress: progress)
            return try await writer.write(root: root, entries: entries, to: output)
        case .symlink(let target):
            guard symlink(target, output) == 0 else {
                throw CLIError("cannot create symbolic link \(output): \(String(cString: strerror(errno)))")
            }
            return
        case .hamtShard:
            throw CLIError("\(root) is a HAMT-sharded directory, which is not supported yet")
        case .file:
            break
        }
        let temporary = output + ".\(getpid()).partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CLIError("cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        let progress = SharedProgressBar(ProgressBar(label: "get", total: nil, enabled: false))
        var done: UInt64 = 0
        var isOpen = true
        do {
            try await source.readFile(root, range: nil) { fileSize in
                progress.replace(
                    with: ProgressBar(label: "get", total: fileSize, enabled: !quiet && FileOutput.standardErrorIsTerminal)
                )
            } write: { piece in
                try FileOutput.writeAll(fd, piece, name: temporary)
                done += UInt64(piece.count)
                progress.update(done)
            }
            guard fsync(fd) == 0 else { throw CLIError("fsync \(temporary): \(String(cString: strerror(errno)))") }
            close(fd)
            isOpen = false
            guard rename(temporary, output) == 0 else {
                let message = String(cString: strerror(errno))
                throw CLIError("cannot rename \(temporary) to \(output): \(message)")
            }
        } catch {
            if isOpen { close(fd) }
            unlink(temporary)
            progress.finish(done)
            throw error
        }
        progress.finish(done)
    }
}
