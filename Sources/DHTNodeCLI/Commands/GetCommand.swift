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

    func run() async throws {
        guard let output else {
            return try await DHTValueGet(daemon: daemon, key: cid).run()
        }
        try writeFile(to: output)
    }

    private func writeFile(to output: String) throws {
        MemoryTuning.forLargeBlocks()
        let root = try parseCID(cid)
        let store = try repo.openForReading()
        switch try reportingErrors({ try UnixFSNode(decoding: DirectoryTreeWriter.fetch(root, from: store)) }) {
        case .directory(let entries):
            let progress = ProgressBar(label: "get", total: nil, enabled: !quiet && FileOutput.standardErrorIsTerminal)
            var writer = DirectoryTreeWriter(store: store, progress: progress)
            return try writer.write(root: root, entries: entries, to: output)
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
        var reader = try ParallelFileReader(root: root, store: store)
        let temporary = output + ".\(getpid()).partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CLIError("cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        var progress = ProgressBar(
            label: "get",
            total: reader.fileSize,
            enabled: !quiet && FileOutput.standardErrorIsTerminal
        )
        var done: UInt64 = 0
        var isOpen = true
        do {
            try reportingErrors {
                while let piece = try reader.next() {
                    try FileOutput.writeAll(fd, piece, name: temporary)
                    done += UInt64(piece.count)
                    progress.update(done)
                }
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
