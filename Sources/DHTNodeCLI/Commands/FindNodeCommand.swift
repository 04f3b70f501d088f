import ArgumentParser
import DHTDaemon
import Kademlia

/// `dhtnode dht find-node ID`: an iterative lookup of the nodes closest to an ID.
struct FindNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find-node",
        abstract: "Find the nodes closest to ID (an iterative FIND_NODE lookup through the running daemon)."
    )

    @OptionGroup var daemon: DaemonClientOptions

    @Argument(help: "The ID to look up: 64 hex digits.")
    var id: String

    func validate() throws {
        guard id.utf8.count == 2 * NodeID.byteCount, (try? NodeID(hex: id)) != nil else {
            throw ValidationError("'\(id)' is not a node ID: expected 64 hex digits")
        }
    }

    func run() async throws {
        let target = try NodeID(hex: id)
        let result = try await daemon.withClient { client throws(ControlClientError) in
            try await client.findNode(target)
        }
        if daemon.json { return try daemon.printJSON(result) }
        print(LookupSummary.render(result))
        let rows = result.closest.map { contact in
            [
                contact.id, contact.address,
                (try? NodeID(hex: contact.id)).map { "\($0.sharedPrefixLength(with: target))" } ?? "?",
            ]
        }
        print(TextTable.columns(["ID", "ADDRESS", "COMMON PREFIX BITS"], rows))
        guard !result.closest.isEmpty else { throw CLIError("no node answered the lookup (\(result.outcome))") }
    }
}
