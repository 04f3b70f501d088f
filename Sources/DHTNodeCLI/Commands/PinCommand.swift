import ArgumentParser
import Blocks
import DHTDaemon

/// `dhtnode pin add|rm|ls`: recursive pins on DAG roots (through the daemon when one runs).
struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Keep DAGs from garbage collection (recursive pins).",
        subcommands: [Add.self, Remove.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Pin a root and everything under it (every block must be stored)."
        )

        @OptionGroup var repo: RepoOptions

        @Argument(help: "Root CIDs to pin.")
        var cids: [String]

        func validate() throws {
            guard !cids.isEmpty else { throw ValidationError("pin add needs at least one CID") }
        }

        func run() async throws {
            let roots = try cids.map { try parseCID($0) }
            var pinned: [String] = []
            if let client = try repo.daemonClient() {
                try await client.using { client in
                    for root in roots {
                        let done = try await client.pin(root)
                        pinned.append(done.cid)
                        if !repo.json { print("pinned \(done.cid)") }
                    }
                }
            } else {
                let store = try repo.openForWriting()
                for root in roots {
                    try reportingErrors { try store.pin(root) }
                    pinned.append(root.v1.description)
                    if !repo.json { print("pinned \(root.v1)") }
                }
            }
            if repo.json { try repo.printJSON(["pinned": pinned]) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove pins; the blocks stay until the next gc."
        )

        @OptionGroup var repo: RepoOptions

        @Argument(help: "Root CIDs to unpin.")
        var cids: [String]

        func validate() throws {
            guard !cids.isEmpty else { throw ValidationError("pin rm needs at least one CID") }
        }

        func run() async throws {
            let roots = try cids.map { try parseCID($0) }
            var unpinned: [String] = []
            if let client = try repo.daemonClient() {
                // The daemon answers 404 not_pinned with the same line as below.
                try await client.using { client in
                    for root in roots {
                        let done = try await client.unpin(root)
                        unpinned.append(done.cid)
                        if !repo.json { print("unpinned \(done.cid)") }
                    }
                }
            } else {
                let store = try repo.openForWriting()
                for root in roots {
                    guard try reportingErrors({ try store.unpin(root) }) else {
                        throw CLIError("\(root) is not pinned")
                    }
                    unpinned.append(root.v1.description)
                    if !repo.json { print("unpinned \(root.v1)") }
                }
            }
            if repo.json { try repo.printJSON(["unpinned": unpinned]) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List pinned roots.")

        @OptionGroup var repo: RepoOptions

        func run() async throws {
            let pins: [String]
            if let client = try repo.daemonClient() {
                pins = try await client.using { client in try await client.pins().pins }
            } else {
                let store = try repo.openForReading()
                pins = try reportingErrors({ try store.pins() }).map(\.description)
            }
            if repo.json { return try repo.printJSON(PinsDocument(pins: pins)) }
            for root in pins { print(root) }
        }
    }
}
