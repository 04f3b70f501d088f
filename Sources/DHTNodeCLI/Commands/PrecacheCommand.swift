import ArgumentParser
import Blocks
import DHTDaemon

/// `dhtnode precache CID…`: asks the running daemon to fetch DAGs in the background into its cache.
struct PrecacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precache",
        abstract: "Fetch DAGs in the background, below every other fetch in priority, into the daemon's cache (unpinned).",
        discussion: """
            Each CID's whole DAG (a file, or a directory and everything under it) is fetched on the capacity that \
            other fetches leave, and stays in the repository unpinned: the cache (dhtnode run --cache-size) keeps \
            it while it is used and evicts it when it is the least recently used. Without --wait the command \
            returns once the requests are queued; --status lists the requests and the cache.
            """
    )

    @OptionGroup var daemon: DaemonClientOptions

    @Flag(name: .customLong("wait"), help: "Return once every fetch ended; exit status 1 if one failed.")
    var wait = false

    @Flag(name: .customLong("status"), help: "List the precache requests (running, waiting, the last finished) and the cache.")
    var status = false

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print nothing but errors.")
    var quiet = false

    @Argument(help: "Roots of the DAGs to precache.")
    var cids: [String] = []

    func validate() throws {
        guard !cids.isEmpty || status else { throw ValidationError("precache needs at least one CID, or --status") }
        if status && !cids.isEmpty { throw ValidationError("--status takes no CID") }
        if status && wait { throw ValidationError("--status and --wait exclude each other") }
    }

    func run() async throws {
        if status { return try await printStatus() }
        let roots = try cids.map { try parseCID($0) }
        let items = try await daemon.withClient { client throws(ControlClientError) in
            var items: [PrecacheItemDocument] = []
            // Queued all at once, then waited for: the daemon runs them side by side.
            for root in roots { items.append(try await client.precache(root, wait: false)) }
            if wait {
                for (index, root) in roots.enumerated() { items[index] = try await client.precache(root, wait: true) }
            }
            return items
        }
        if daemon.json {
            try daemon.printJSON(["items": items])
        } else if !quiet {
            for item in items { print(Self.line(item)) }
        }
        let failed = items.filter { $0.state == "failed" }
        if let first = failed.first {
            throw CLIError("precache of \(first.cid) failed: \(first.error ?? "unknown reason")"
                + (failed.count > 1 ? " (and \(failed.count - 1) more)" : ""))
        }
    }

    private func printStatus() async throws {
        let document = try await daemon.withClient { client throws(ControlClientError) in
            try await client.precacheStatus()
        }
        if daemon.json { return try daemon.printJSON(document) }
        if quiet { return }
        let cache = document.cache
        if let budget = cache.budgetBytes {
            print("cache  \(cache.bytes) of \(budget) bytes in \(cache.blocks) blocks; \(cache.evictions) evicted (\(cache.evictedBytes) bytes)")
        } else {
            print("cache  off (unpinned blocks stay until gc)")
        }
        for item in document.items { print(Self.line(item)) }
    }

    private static func line(_ item: PrecacheItemDocument) -> String {
        switch item.state {
        case "done": "\(item.cid)  done  \(item.blocks ?? 0) blocks, \(item.bytes ?? 0) bytes fetched"
        case "failed": "\(item.cid)  failed  \(UntrustedText.controlsEscaped(item.error ?? ""))"
        default: "\(item.cid)  \(item.state)"
        }
    }
}
