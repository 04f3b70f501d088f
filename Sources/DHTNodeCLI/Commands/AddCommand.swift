import ArgumentParser
import Blocks
import DHTDaemon
import Foundation
import NIOCore
import Synchronization

/// `dhtnode add PATH`: imports a file (or with `-r` a directory tree) into the repository as a UnixFS DAG and
/// prints its root CID. With a daemon running, the blocks go to it (``addThroughDaemon(_:profile:)``).
struct AddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Import a file, or with -r a directory, into the block repository and print its root CID.",
        discussion: """
            The file is streamed through the balanced DAG builder (raw leaves, CIDv1): with the default profile \
            the root CID equals `ipfs add --cid-version=1`. Blocks are written with grouped fsyncs and the root \
            is pinned unless --pin=false. --only-hash computes the CID without opening the repository.

            With -r, a directory becomes UnixFS directory nodes as `ipfs add -r --cid-version=1` makes them: \
            entries sorted by name bytes, names starting with '.' skipped unless --hidden, empty directories \
            kept, symbolic links stored as links. Each entry is printed as `added CID PATH` (files first, then \
            directories, the root last), as kubo prints them. A directory that kubo would shard into a HAMT \
            (past 256 KiB by the profile's estimate) is refused: HAMT directories are not supported yet.

            When a daemon runs for the data folder (and --repo is not given), it holds the repository: it reads a \
            file itself and copies it into one packed file of the repository (a file it cannot read, or a pipe, is \
            streamed to it), or with --nocopy leaves it where it is; a directory's DAG is built here (its files are \
            read twice: once for the root CID, once to stream the blocks) and sent as a CAR. The output is the same.
            """
    )

    @OptionGroup var repo: RepoOptions

    @Argument(help: "The file to import (a pipe such as /dev/stdin works too), or a directory with -r.")
    var path: String

    @Flag(name: [.customShort("r"), .customLong("recursive")], help: "Import a directory and everything below it.")
    var recursive = false

    @Flag(name: [.customShort("H"), .customLong("hidden")], help: "With -r, include names starting with '.'.")
    var hidden = false

    @Flag(name: .customLong("only-hash"), help: "Compute the root CID only; write nothing.")
    var onlyHash = false

    @Option(name: .customLong("chunk-size"), help: "Bytes per leaf, 1...1048576 (default: the profile's).")
    var chunkSize: Int?

    @Option(help: "The import profile: unixfs-v0-2015 (default; 256 KiB chunks, 174 links) or unixfs-v1-2025.")
    var profile: String = "unixfs-v0-2015"

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print only the (root) CID; no progress bar.")
    var quiet = false


    @Option(help: "Pin the root after the import (true or false).")
    var pin: Bool = true

    @Flag(
        help: """
            Keep the file where it is instead of copying it into the repository (through a running daemon; a \
            regular file): the daemon serves it from there, and its blocks go missing if it is changed or deleted.
            """)
    var nocopy = false

    func validate() throws {
        _ = try importProfile()
        if nocopy && (recursive || onlyHash) {
            throw ValidationError("--nocopy adds one file; it does not go with -r or --only-hash")
        }
    }

    private func importProfile() throws -> ImportProfile {
        let base: ImportProfile
        switch profile {
        case "unixfs-v0-2015", "unixfs-v0-2015+cidv1": base = .unixfsV0_2015_cidv1
        case "unixfs-v1-2025": base = .unixfsV1_2025
        default:
            throw ValidationError("--profile must be unixfs-v0-2015 or unixfs-v1-2025 (got '\(profile)')")
        }
        guard let chunkSize else { return base }
        do {
            return try base.withChunkSize(chunkSize)
        } catch {
            throw ValidationError("--chunk-size: \(error.description)")
        }
    }

    func run() async throws {
        MemoryTuning.forLargeBlocks()
        let profile = try importProfile()
        let isDirectory = InputFile.isDirectory(path)
        if isDirectory && !recursive {
            throw CLIError("\(path) is a directory, use the '-r' flag to add directories")
        }
        if !onlyHash, let client = try repo.daemonClient() {
            return try await client.using { client in
                if isDirectory {
                    try await addDirectoryThroughDaemon(client, profile: profile)
                } else {
                    try await addFileThroughDaemon(client, profile: profile)
                }
            }
        }
        if nocopy {
            throw CLIError("--nocopy needs a running daemon: the daemon keeps the references into \(path)")
        }
        if isDirectory { return try addDirectory(profile: profile) }
        let input = try InputFile(path: path)
        defer { input.close() }

        var progress = ProgressBar(
            label: "add",
            total: input.size,
            enabled: !quiet && !repo.json && FileOutput.standardErrorIsTerminal
        )
        let result: ImportResult
        if onlyHash {
            result = try Self.build(input, profile: profile, progress: &progress) { _ in }
        } else {
            let store = try repo.openForWriting()
            // Hash on this thread while writer threads put the blocks already made, each through its own
            // session (a session writes one block at a time).
            result = try Self.withWriters(to: store, progress: &progress) { put, progress in
                let result = try Self.build(input, profile: profile, progress: &progress, put: put)
                return (result, result.root)
            } pin: { pin ? $0 : nil }
        }
        progress.finish(result.fileSize)
        printFile(AddDocument(result, profile: profile, pinned: pin && !onlyHash))
    }

    /// Prints the import of one file: `added CID PATH`, the CID alone (`--quiet`) or one JSON object.
    func printFile(_ added: AddDocument) {
        if repo.json {
            var text =
                "{\"cid\":\"\(added.cid)\",\"size\":\(added.size),\"blocks\":\(added.blocks),"
                + "\"profile\":\"\(added.profile)\",\"pinned\":\(added.pinned)"
            if let announcement = added.announcement { text += ",\"announcement\":\"\(announcement.rawValue)\"" }
            print(text + "}")
        } else if quiet {
            print(added.cid)
        } else {
            print("added \(added.cid) \(UntrustedText.escaped(path))")
        }
        if !repo.json { Self.noteAnnouncement(added.announcement, quiet: quiet) }
    }

    /// A line on stderr when the daemon could not announce the root yet: a user who shares the CID should know
    /// that nobody can find it until the node has peers.
    static func noteAnnouncement(_ announcement: Announcement?, quiet: Bool) {
        guard announcement == .queued, !quiet else { return }
        FileOutput.standardError(
            "note: not announced yet (the daemon has no peers); it is announced as soon as the daemon has some\n")
    }

    /// `add -r`: imports the tree, printing each entry as kubo does, and pins the root.
    private func addDirectory(profile: ImportProfile) throws {
        let importer = DirectoryTreeImporter(profile: profile, includeHidden: hidden)
        let showProgress = !quiet && !repo.json && FileOutput.standardErrorIsTerminal
        var progress = ProgressBar(
            label: "add", total: showProgress ? importer.measure(path) : nil, enabled: showProgress)
        let rootName = Self.displayName(path)
        var entries: [DirectoryTreeImporter.AddedEntry] = []
        let result: DirectoryImportResult
        if onlyHash {
            result = try reportingErrors {
                try importer.importDirectory(
                    at: path, rootName: rootName, emit: { _ in }, added: { entries.append($0) },
                    progress: { progress.update($0) })
            }
        } else {
            let store = try repo.openForWriting()
            result = try Self.withWriters(to: store, progress: &progress) { put, progress in
                let result = try reportingErrors {
                    try importer.importDirectory(
                        at: path, rootName: rootName, emit: put, added: { entries.append($0) },
                        progress: { progress.update($0) })
                }
                return (result, result.root)
            } pin: { pin ? $0 : nil }
        }
        progress.finish(result.fileSize)
        printDirectory(entries, blockCount: result.blockCount, profile: profile)
    }

    /// Prints the entries of a directory import, the root last; `--quiet` prints the root's CID alone.
    func printDirectory(
        _ entries: [DirectoryTreeImporter.AddedEntry],
        blockCount: UInt64,
        profile: ImportProfile,
        announcement: Announcement? = nil
    ) {
        for (index, entry) in entries.enumerated() where !quiet || index == entries.count - 1 {
            if repo.json {
                var object =
                    "{\"name\":\(Self.jsonString(entry.path)),\"cid\":\"\(entry.cid)\","
                    + "\"type\":\"\(entry.kind.rawValue)\",\"size\":\(entry.fileSize)"
                if index == entries.count - 1 {
                    object += ",\"blocks\":\(blockCount),\"profile\":\"\(profile.name)\",\"pinned\":\(pin && !onlyHash)"
                    if let announcement { object += ",\"announcement\":\"\(announcement.rawValue)\"" }
                }
                print(object + "}")
            } else if quiet {
                print(entry.cid)
            } else {
                print("added \(entry.cid) \(UntrustedText.escaped(entry.path))")
            }
        }
    }

    /// The name kubo gives the root of `ipfs add -r PATH`: PATH's last component.
    static func displayName(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/"), trimmed.count > 1 else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value >= 0x7F && UntrustedText.acts(scalar): output += JSONOutput.escaped(scalar)
            case _ where scalar.value < 0x20:
                output += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }

    /// Runs `body` with a `put` that hands blocks to writer threads (one session each), then flushes the sessions,
    /// pins what `pin` names while the sessions still protect the blocks from GC, and closes them. On an error
    /// the sessions are discarded.
    static func withWriters<Output>(
        to store: FileBlockStore,
        progress: inout ProgressBar,
        _ body: (_ put: (Block) throws -> Void, _ progress: inout ProgressBar) throws -> (Output, CID),
        pin: (CID) -> CID?
    ) throws -> Output {
        var sessions: [WriteSession] = []
        do {
            for _ in 0..<writerCount { sessions.append(try reportingErrors { try store.beginSession() }) }
            let writers = sessions.map { BlockWriterThread(session: $0) }
            var sent = 0
            let built: Result<(Output, CID), any Error> = Result {
                try body(
                    { block in
                        try writers[sent % writers.count].send(block)
                        sent += 1
                    }, &progress)
            }
            for writer in writers { try writer.finish() }
            let (result, root) = try built.get()
            try reportingErrors {
                for session in sessions { try session.flush() }
                if let pinned = pin(root) { try store.pin(pinned) }
                for session in sessions { try session.close() }
            }
            return result
        } catch {
            for session in sessions { session.discard() }
            progress.finish(progress.done)
            throw error
        }
    }

    /// Threads writing blocks while the main thread hashes: the machines this is tuned for have two cores, and
    /// writing a block file costs more kernel time than hashing it costs user time.
    /// `DHTNODE_ADD_WRITERS` (1...8) overrides it, for measuring.
    static var writerCount: Int {
        ProcessInfo.processInfo.environment["DHTNODE_ADD_WRITERS"].flatMap(Int.init).map { min(max($0, 1), 8) } ?? 2
    }

    /// Streams the file through the builder, handing each block to `put`.
    private static func build(
        _ input: InputFile,
        profile: ImportProfile,
        progress: inout ProgressBar,
        put: (Block) throws -> Void
    ) throws -> ImportResult {
        var builder = BalancedDAGBuilder(profile: profile)
        var buffer = [UInt8](repeating: 0, count: InputFile.readSize)
        var done: UInt64 = 0
        while true {
            let count = try input.read(into: &buffer)
            if count == 0 { break }
            try reportingErrors {
                try buffer.withUnsafeBytes { raw in
                    try builder.append(UnsafeRawBufferPointer(rebasing: raw[..<count])) { (block: Block) throws in
                        try put(block)
                    }
                }
            }
            done += UInt64(count)
            progress.update(done)
        }
        return try reportingErrors { try builder.finish { (block: Block) throws in try put(block) } }
    }
}
