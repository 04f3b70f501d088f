import Blocks
import DHTDaemon
import Foundation

/// What `dhtnode get --stats` prints about a fetch: a table for people, or the ``FetchDocument`` as JSON.
struct FetchReport {
    let document: FetchDocument

    init(_ document: FetchDocument) { self.document = document }

    func print(json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Swift.print(JSONOutput.terminalSafe(try encoder.encode(document)))
            return
        }
        guard !document.local else {
            Swift.print("\(document.cid): every block was in the repository already; nothing fetched")
            return
        }
        Swift.print(
            TextTable.pairs([
                ("fetched", "\(document.cid)"),
                ("bytes", "\(document.bytes) in \(document.blocks) blocks"),
                ("time to first byte", TextTable.seconds(document.timeToFirstByte)),
                ("time to last byte", TextTable.seconds(document.timeToLastByte)),
                ("throughput", document.throughput.map { String(format: "%.1f MB/s", $0 / 1e6) } ?? "—"),
                (
                    "duplicate bytes",
                    "\(document.duplicateBytes) (\(String(format: "%.2f", document.duplicateRatio * 100)) %)"
                ),
                ("re-requests", "\(document.rerequests)"),
                ("endgame requests", "\(document.endgameRequests)"),
                ("moved at the tail", "\(document.movedRequests)"),
                ("served by peers", document.peerShare.map { String(format: "%.1f %%", $0 * 100) } ?? "—"),
                ("from peers", "\(document.directBytes) bytes direct, \(document.relayedBytes) relayed"),
            ])
        )
        Swift.print(
            TextTable.columns(
                ["source", "bytes", "blocks", "share", "duplicate bytes", "first block", "last block"],
                document.peers.map { peer in
                    [
                        peer.source.map { UntrustedText.escaped($0, limit: 40) } ?? "peer " + String(peer.id.prefix(16)),
                        "\(peer.bytes)", "\(peer.blocks)",
                        String(format: "%.1f %%", peer.share * 100), "\(peer.duplicateBytes)",
                        TextTable.seconds(peer.firstBlock), TextTable.seconds(peer.lastBlock),
                    ]
                }
            )
        )
    }
}
