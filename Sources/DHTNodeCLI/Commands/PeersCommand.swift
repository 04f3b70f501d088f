import ArgumentParser
import DHTDaemon

/// `dhtnode peers`: the running daemon's routing table.
struct PeersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peers",
        abstract: "List the running daemon's routing-table contacts, closest to its ID first."
    )

    @OptionGroup var daemon: DaemonClientOptions

    func run() async throws {
        let document = try await daemon.withClient { client throws(ControlClientError) in try await client.peers() }
        if daemon.json { return try daemon.printJSON(document) }
        let rows = document.peers.map { peer in
            [
                peer.id, peer.address, TextTable.seconds(peer.roundTripSeconds),
                TextTable.seconds(peer.lastSeenSecondsAgo) + " ago", "\(peer.failures)",
                peer.rendezvous ? "rendezvous" : "",
            ]
        }
        print(TextTable.columns(["ID", "ADDRESS", "RTT", "LAST SEEN", "FAILURES", "SESSION"], rows))
        print("\(document.peers.count) peer\(document.peers.count == 1 ? "" : "s")")
    }
}
