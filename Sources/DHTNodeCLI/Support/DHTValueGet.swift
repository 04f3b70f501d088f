import DHTDaemon
import DHTNode
import Foundation
import Kademlia

/// `dhtnode get KEY` (without `-o`): the values stored under a key, through the running daemon.
///
/// Text prints each value on its own line (binary values as `base64:…`), and the publisher too when several
/// nodes published under the key; `--json` prints the API's answer. No value: status 1.
struct DHTValueGet {
    let daemon: DaemonClientOptions
    let key: String

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
        value.text ?? "base64:" + value.base64
    }
}
