import ArgumentParser
import DHTDaemon
import DHTNode
import Kademlia

/// `dhtnode dht providers KEY`: the nodes that announced they provide a key.
struct ProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "Find the providers of KEY (a GET_PROVIDERS lookup through the running daemon).",
        discussion: "KEY as for `put`. Exits with status 1 when no provider is found."
    )

    @OptionGroup var daemon: DaemonClientOptions

    @Argument(help: "The key: a CID (its providers key), 64 hex digits, or text to hash.")
    var key: String

    func run() async throws {
        let recordKey = NodeID(namingContent: key)
        let document = try await daemon.withClient { client throws(ControlClientError) in
            try await client.providers(of: recordKey)
        }
        if daemon.json {
            try daemon.printJSON(document)
        } else if !document.providers.isEmpty {
            print(TextTable.columns(["ID", "ADDRESS"], document.providers.map { [$0.id, $0.address + ($0.relayed == true ? " (relay)" : "")] }))
            print("\(document.providers.count) provider\(document.providers.count == 1 ? "" : "s") of \(document.key)")
        }
        guard !document.providers.isEmpty else { throw CLIError("no provider found for key \(document.key)") }
    }
}
