import ArgumentParser
import DHTDaemon
import DHTNode
import Kademlia

/// `dhtnode dht put KEY VALUE`: stores a small value in the DHT.
struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Store VALUE under KEY on the nodes closest to the key (through the running daemon).",
        discussion: """
            KEY is 64 hex digits, used as is, or any other text, whose SHA-256 is the key (so \
            `dht put greeting hello` and `dht get greeting` agree). The daemon republishes the value until it \
            stops. Fails when no node accepted it.
            """
    )

    @OptionGroup var daemon: DaemonClientOptions

    @Argument(help: "The key: 64 hex digits, or text to hash.")
    var key: String

    @Argument(help: "The value (UTF-8 text; it must fit a datagram: about 1 KB).")
    var value: String

    @Option(
        name: .customLong("ttl"),
        help: ArgumentHelp("Lifetime in seconds (default: the node's).", valueName: "seconds")
    )
    var ttl: Int?

    func validate() throws {
        try DHTCommand.refuseCID(key, as: "key")
        if let ttl, !(1...604_800).contains(ttl) { throw ValidationError("--ttl must be 1 to 604800 seconds") }
    }

    func run() async throws {
        let recordKey = NodeID(naming: key)
        let bytes = Array(value.utf8)
        let report = try await daemon.withClient { client throws(ControlClientError) in
            try await client.put(bytes, under: recordKey, ttlSeconds: ttl)
        }
        if daemon.json {
            try daemon.printJSON(report)
        } else {
            print("stored under \(report.key) on \(report.accepted) of \(report.asked) nodes asked")
            print(LookupSummary.render(report.lookup))
        }
        guard report.accepted > 0 else { throw CLIError("no node accepted the value") }
    }
}
