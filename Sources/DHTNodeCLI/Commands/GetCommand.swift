import ArgumentParser
import Blocks
import DHTDaemon
import Foundation

/// `dhtnode get CID[/path] [-o PATH]`: writes a file or a directory tree to PATH (by default `./NAME`, NAME being
/// the CID or the path's last name), from the repository, or through the running daemon, which fetches from peers
/// what the repository lacks while the bytes are written.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Write a file or a directory to PATH, fetching it from peers when the repository lacks it.",
        discussion: """
            A file is written while it arrives, each block checked before its bytes are written, to a temporary \
            file next to PATH that is renamed to PATH only when every block checked out: a corrupt or missing \
            block leaves PATH untouched. A directory is fetched whole, then written as a tree (files, \
            subdirectories, symbolic links) in a temporary folder renamed to PATH at the end; a symbolic link that \
            points outside the tree is refused.

            With a daemon running (see `dhtnode run`), it fetches what its repository lacks from connected peers \
            and the providers it finds in the DHT; without one, only the repository is read. For the values \
            stored under a key in the DHT, see `dhtnode dht get`.
            """
    )

    @OptionGroup var repo: RepoOptions
    @OptionGroup var httpSources: HTTPSourceOptions

    @Argument(help: "The file or directory: its root CID, or CID/path inside a directory tree.")
    var cid: String

    @Option(
        name: [.customShort("o"), .customLong("output")],
        help: "Where to write it (default: ./NAME, NAME being the CID or the path's last name).")
    var output: String?

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "No progress on stderr.")
    var quiet = false

    @Flag(help: "Print the fetch's statistics (time to first and last byte, bytes per peer, duplicates); with --json as JSON.")
    var stats = false

    private var showsProgress: Bool { !quiet && FileOutput.standardErrorIsTerminal }

    func run() async throws {
        let path: ContentPath
        do {
            path = try ContentPath(parsing: cid)
        } catch {
            throw CLIError("\(error) (for the DHT's values under a key: dhtnode dht get KEY)")
        }
        let output = self.output ?? path.lastName
        MemoryTuning.forLargeBlocks()
        if let client = try repo.daemonClient() {
            try await client.using { client in
                let source = DaemonFileSource(client: client, sources: httpSources.query)
                let target = try await source.resolve(path)
                do {
                    do {
                        try await writeFileByDaemon(target, client: client, to: output)
                    } catch let error as ControlClientError where error.apiCode == "cannot_write" {
                        // The daemon may not write there (another user, another file system view): stream it here.
                        try await writeFile(target, from: source, to: output)
                    } catch let error as ControlClientError where error.apiCode == "not_a_file" {
                        throw DaemonFileSource.NotAFile(description: error.description)
                    }
                } catch is DaemonFileSource.NotAFile {
                    // A directory or a symbolic link: the daemon fetches the whole tree, then it is written out.
                    let waiting = WaitingLine("get: fetching the tree of \(target)…", enabled: showsProgress)
                    let fetched: FetchDocument
                    do {
                        fetched = try await client.fetch(target, sources: httpSources.query)
                    } catch {
                        waiting.stop()
                        throw error
                    }
                    waiting.stop()
                    try await write(target, from: source, to: output)
                    if stats { try FetchReport(fetched).print(json: repo.json) }
                    return
                }
                if stats {
                    let fetched: FetchDocument
                    do {
                        fetched = try await client.lastFetch(of: target)
                    } catch let error as ControlClientError where error.apiCode == "no_fetch" {
                        fetched = .local(target.description)
                    }
                    try FetchReport(fetched).print(json: repo.json)
                }
            }
        } else {
            if stats { throw CLIError("--stats needs a running daemon (`dhtnode run`): only it fetches from peers") }
            let source = RepositoryFileSource(store: try repo.openForReading())
            try await write(try await source.resolve(path), from: source, to: output)
        }
    }

    /// Writes the file, symbolic link or directory tree `root` from `source` to `output`.
    private func write(_ root: CID, from source: some FileTreeSource, to output: String) async throws {
        switch try await source.node(root) {
        case .directory(let entries):
            let progress = ProgressBar(label: "get", total: nil, enabled: showsProgress)
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
            try await writeFile(root, from: source, to: output)
        }
    }

    /// Has the daemon write the file `root` to `output` itself (`POST /v1/get`): its bytes go from the fetch to the
    /// file without crossing a socket again, and the daemon keeps the file's leaves as references into it rather
    /// than as a second copy. A temporary file next to `output` is renamed to it once every block checked out.
    private func writeFileByDaemon(_ root: CID, client: ControlClient, to output: String) async throws {
        let target = URL(fileURLWithPath: output).standardizedFileURL.path
        let temporary = target + ".\(getpid()).partial"
        let interrupt = InterruptCleanup(removing: temporary)
        defer { interrupt.cancel() }
        let waiting = WaitingLine("get: looking for \(root)…", enabled: showsProgress)
        var progress: ProgressBar?
        var done: UInt64 = 0
        do {
            let last = try await client.get(root, output: target, partial: temporary, sources: httpSources.query) { line in
                if progress == nil {
                    waiting.stop()
                    progress = ProgressBar(label: "get", total: line.fileSize, enabled: showsProgress)
                }
                done = line.bytes
                progress?.update(done)
            }
            done = last.bytes
        } catch {
            waiting.stop()
            progress?.finish(done)
            throw error
        }
        waiting.stop()
        progress?.finish(done)
    }

    /// Streams the file `root` to a temporary file next to `output` as its bytes arrive, and renames it to `output`
    /// once every block checked out. Until the first byte, a line says what it waits for; then a progress bar
    /// against the file's size.
    private func writeFile(_ root: CID, from source: some FileTreeSource, to output: String) async throws {
        let temporary = output + ".\(getpid()).partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CLIError("cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        let interrupt = InterruptCleanup(removing: temporary)
        defer { interrupt.cancel() }
        let waiting = WaitingLine("get: looking for \(root)…", enabled: showsProgress)
        let progress = SharedProgressBar(ProgressBar(label: "get", total: nil, enabled: false))
        var done: UInt64 = 0
        var isOpen = true
        do {
            try await source.readFile(root, range: nil) { fileSize in
                waiting.stop()
                progress.replace(with: ProgressBar(label: "get", total: fileSize, enabled: showsProgress))
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
            waiting.stop()
            if isOpen { close(fd) }
            unlink(temporary)
            progress.finish(done)
            throw error
        }
        progress.finish(done)
    }
}
