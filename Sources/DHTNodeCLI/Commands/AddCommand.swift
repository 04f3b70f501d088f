import ArgumentParser
import Blocks
import Foundation

/// `dhtnode add PATH`: imports a file into the repository as a UnixFS DAG and prints its root CID.
struct AddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Import a file into the block repository and print its root CID.",
        discussion: """
            The file is streamed through the balanced DAG builder (raw leaves, CIDv1): with the default profile \
            the root CID equals `ipfs add --cid-version=1`. Blocks are written with grouped fsyncs and the root \
            is pinned unless --pin=false. --only-hash computes the CID without opening the repository.
            """
    )

    @OptionGroup var repo: RepoOptions

    @Argument(help: "The file to import (a pipe such as /dev/stdin works too).")
    var path: String

    @Flag(name: [.customShort("r"), .customLong("recursive")], help: "Import a directory (not supported yet).")
    var recursive = false

    @Flag(name: .customLong("only-hash"), help: "Compute the root CID only; write nothing.")
    var onlyHash = false

    @Option(name: .customLong("chunk-size"), help: "Bytes per leaf, 1...1048576 (default: the profile's).")
    var chunkSize: Int?

    @Option(help: "The import profile: unixfs-v0-2015 (default; 256 KiB chunks, 174 links) or unixfs-v1-2025.")
    var profile: String = "unixfs-v0-2015"

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print only the CID; no progress bar.")
    var quiet = false

    @Flag(help: "Print one JSON object: cid, size, blocks, profile.")
    var json = false

    @Option(help: "Pin the root after the import (true or false).")
    var pin: Bool = true

    func validate() throws {
        guard !recursive else {
            throw ValidationError("add -r (directories) is not supported yet; add one file at a time")
        }
        _ = try importProfile()
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

    func run() throws {
        MemoryTuning.forLargeBlocks()
        let profile = try importProfile()
        let input = try InputFile(path: path)
        defer { input.close() }

        var progress = ProgressBar(
            label: "add",
            total: input.size,
            enabled: !quiet && !json && FileOutput.standardErrorIsTerminal
        )
        let result: ImportResult
        if onlyHash {
            result = try Self.build(input, profile: profile, progress: &progress) { _ in }
        } else {
            let store = try repo.openForWriting()
            // Hash on this thread while writer threads put the blocks already made, each through its own
            // session (a session writes one block at a time).
            var sessions: [WriteSession] = []
            do {
                for _ in 0..<Self.writerCount { sessions.append(try reportingErrors { try store.beginSession() }) }
                let writers = sessions.map { BlockWriterThread(session: $0) }
                var sent = 0
                let built: Result<ImportResult, any Error> = Result {
                    try Self.build(input, profile: profile, progress: &progress) { block in
                        try writers[sent % writers.count].send(block)
                        sent += 1
                    }
                }
                for writer in writers { try writer.finish() }
                result = try built.get()
                try reportingErrors {
                    // Pin while the sessions still protect the blocks from GC, after they reached their names.
                    for session in sessions { try session.flush() }
                    if pin { try store.pin(result.root) }
                    for session in sessions { try session.close() }
                }
            } catch {
                for session in sessions { session.discard() }
                progress.finish(progress.done)
                throw error
            }
        }
        progress.finish(result.fileSize)

        if json {
            let text =
                "{\"cid\":\"\(result.root)\",\"size\":\(result.fileSize),\"blocks\":\(result.blockCount),"
                + "\"profile\":\"\(profile.name)\",\"pinned\":\(pin && !onlyHash)}"
            print(text)
        } else if quiet {
            print(result.root)
        } else {
            print("added \(result.root) \(path)")
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
