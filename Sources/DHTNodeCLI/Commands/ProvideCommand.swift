import ArgumentParser
import DHTDaemon
import DHTNode
import Kademlia

/// `dhtnode dht provide KEY`: announces the daemon's node as a provider of a key.
struct ProvideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provide",
        abstract: "Announce the running daemon's node as a provider of KEY on the nodes closest to it.",
        discussion: "KEY as for `put`. The daemon re-announces it until it stops. Fails when no node accepted it."
    )

    @OptionGroup var daemon: DaemonClientOptions

    @Argument(help: "The key: a CID (its providers key), 64 hex digits, or text to hash.")
    var key: String

    func run() async throws {
        let recordKey = NodeID(namingContent: key)
        let report = try await daemon.withClient { client throws(ControlClientError) in
            try await client.provide(recordKey)
        }
        if daemon.json {
            try daemon.printJSON(report)
        } else {
            print("provider record for \(report.key) stored on \(report.accepted) of \(report.asked) nodes asked")
            print(LookupSummary.render(report.lookup))
        }
        guard report.accepted > 0 else { throw CLIError("no node accepted the provider record") }
    }
}
