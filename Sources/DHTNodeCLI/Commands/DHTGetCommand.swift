import ArgumentParser
import Blocks
import DHTDaemon
import DHTNode
import Foundation
import Kademlia

/// `dhtnode dht get KEY`: the values stored under a key, through the running daemon.
///
/// Text prints each value on its own line (binary values as `base64:…`), and the publisher too when several
/// nodes published under the key; `--json` prints the API's answer. No value: status 1.
struct DHTGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print the values stored under KEY in the DHT (through the running daemon).",
        discussion: "KEY as for `dht put`. Exits with status 1 when there is none."
    )

    @OptionGroup var daemon: DaemonClientOptions

    @Argument(help: "The key: 64 hex digits, or text to hash.")
    var key: String

    func validate() throws {
        try DHTCommand.refuseCID(key, as: "key")
    }

    func run() async throws {
        let recordKey = NodeID(naming: key)
        let document = try await daemon.withClient { client throws(ControlClientError) in
            try await client.get(recordKey)
        }
        if daemon.json {
            try daemon.printJSON(document)
        } else if document.values.count == 1, let value = document.values.first {
            print(Self.text(value))
        } else if !document.values.isEmpty {
            print(TextTable.columns(["PUBLISHER", "VALUE"], document.values.map { [$0.publisher, Self.text($0)] }))
        }
        guard !document.values.isEmpty else { throw CLIError("no value found under key \(document.key)") }
    }

    private static func text(_ value: ValueDocument) -> String {
        UntrustedText.escaped(value.text ?? "base64:" + value.base64)
    }
}
