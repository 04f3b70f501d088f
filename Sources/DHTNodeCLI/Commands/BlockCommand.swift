import ArgumentParser
import Blocks
import DHTDaemon
import Foundation

/// `dhtnode block get|put|stat`: single raw blocks.
struct BlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block",
        abstract: "Read, write and remove single blocks.",
        subcommands: [Get.self, Put.self, Stat.self, Remove.self]
    )

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            abstract: "Write a block's bytes to stdout (checked against its CID first)."
        )

        @OptionGroup var repo: RepoOptions

        @Argument(help: "The block's CID.")
        var cid: String

        func run() throws {
            let (cid, block) = try repo.verifiedBlock(cid)
            if repo.json {
                return try repo.printJSON(
                    ["cid": cid.v1.description, "base64": Data(block.bytes).base64EncodedString()])
            }
            try FileOutput.writeAll(1, block.bytes[...], name: "stdout")
        }
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "put",
            abstract: "Store a block read from FILE (or stdin) and print its CID.",
            discussion: "The block is not pinned: pin it with `dhtnode pin add CID` or the next gc deletes it."
        )

        @OptionGroup var repo: RepoOptions

        @Argument(help: "The file holding the block's bytes; stdin when omitted or '-'.")
        var file: String?

        @Option(help: "The block's codec: raw or dag-pb (which must decode as a dag-pb node).")
        var codec: String = "raw"

        func validate() throws {
            guard codec == "raw" || codec == "dag-pb" else {
                throw ValidationError("--codec must be raw or dag-pb (got '\(codec)')")
            }
        }

        func run() async throws {
            let bytes = try readInput()
            let stored: BlockDocument
            if let client = try repo.daemonClient() {
                stored = try await client.using { client in try await client.putBlock(bytes, codec: codec) }
            } else {
                let multicodec: Multicodec = codec == "raw" ? .raw : .dagPB
                if multicodec == .dagPB {
                    do { _ = try PBNode(decoding: bytes) } catch { throw CLIError("not a dag-pb block: \(error)") }
                }
                let block = try reportingErrors { try Block(codec: multicodec, hashing: bytes) }
                let store = try repo.openForWriting()
                try reportingErrors { try store.put(block) }
                stored = BlockDocument(cid: block.cid.v1.description, size: bytes.count)
            }
            if repo.json { return try repo.printJSON(stored) }
            print(stored.cid)
        }

        private func readInput() throws -> [UInt8] {
            let handle: FileHandle
            let name: String
            if let file, file != "-" {
                guard let opened = FileHandle(forReadingAtPath: file) else {
                    throw CLIError("cannot open \(file)")
                }
                handle = opened
                name = file
            } else {
                handle = FileHandle.standardInput
                name = "stdin"
            }
            // One byte past the limit is enough to know the block is too large.
            var bytes: [UInt8] = []
            while bytes.count <= Block.maxByteCount {
                let data: Data
                do {
                    data = try handle.read(upToCount: Block.maxByteCount + 1 - bytes.count) ?? Data()
                } catch {
                    throw CLIError("reading \(name): \(error.localizedDescription)")
                }
                if data.isEmpty { break }
                bytes += data
            }
            guard bytes.count <= Block.maxByteCount else {
                throw CLIError("\(name) holds more than \(Block.maxByteCount) bytes, the largest block allowed")
            }
            return bytes
        }
    }

    struct Stat: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stat",
            abstract: "Print a block's CID and size (the block is checked)."
        )

        @OptionGroup var repo: RepoOptions

        @Argument(help: "The block's CID.")
        var cid: String

        func run() throws {
            let (cid, block) = try repo.verifiedBlock(cid)
            if repo.json { return try repo.printJSON(BlockDocument(cid: cid.v1.description, size: block.bytes.count)) }
            print("\(cid) \(block.bytes.count)")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove blocks (a pinned root is refused: unpin it first).",
            discussion: """
                A block that a pin reaches from above is not checked: removing it breaks that pinned DAG until \
                the block is fetched or added again. `dhtnode gc` removes only what no pin reaches.
                """
        )

        @OptionGroup var repo: RepoOptions

        @Argument(help: "The blocks' CIDs.")
        var cids: [String]

        func validate() throws {
            guard !cids.isEmpty else { throw ValidationError("block rm needs at least one CID") }
        }

        func run() async throws {
            let targets = try cids.map { try parseCID($0) }
            var removed: [BlockDocument] = []
            if let client = try repo.daemonClient() {
                try await client.using { client in
                    for cid in targets { removed.append(try await client.removeBlock(cid)) }
                }
            } else {
                let store = try repo.openForWriting()
                for cid in targets {
                    let done = try reportingErrors { try store.deleteUnlessPinnedRoot(cid) }
                    removed.append(BlockDocument(cid: cid.v1.description, removed: done))
                }
            }
            if repo.json { return try repo.printJSON(["removed": removed]) }
            for block in removed {
                print(block.removed == true ? "removed \(block.cid)" : "\(block.cid) was not stored")
            }
        }
    }
}

extension RepoOptions {
    /// Parses `text` as a CID and reads its block from the repository, checked against the CID.
    fileprivate func verifiedBlock(_ text: String) throws -> (CID, Block) {
        let cid = try parseCID(text)
        let store = try openForReading()
        guard let block = try reportingErrors({ try store.getVerified(cid) }) else {
            throw CLIError("block \(cid) not found")
        }
        return (cid, block)
    }
}
