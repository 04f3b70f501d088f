import ArgumentParser
import DHTDaemon

/// `dhtnode id`: the running daemon's node ID and addresses.
struct IDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "id",
        abstract: "Show the running daemon's node ID, public key, addresses and reachability."
    )

    @OptionGroup var daemon: DaemonClientOptions

    func run() async throws {
        var (info, endpoint) = try await daemon.withClient { client throws(ControlClientError) in
            (try await client.info(), client.endpoint)
        }
        info.gateway = endpoint.gateway
        if daemon.json { return try daemon.printJSON(info) }
        print(
            TextTable.pairs([
                ("id", info.id),
                ("public key", info.publicKey),
                ("listen", info.listen.joined(separator: ", ")),
                ("api", endpoint.url),
                ("gateway", endpoint.gateway ?? "off"),
                ("pid", "\(info.pid)"),
                ("routing table", "\(info.routingTableSize) contacts"),
                ("reachability", Self.reachability(info)),
                ("observed", Self.observed(info)),
            ] + (info.client == true ? [("relays", (info.relays ?? []).isEmpty ? "none yet" : info.relays!.joined(separator: ", "))] : []))
        )
    }

    /// The observed addresses, or `none yet`.
    static func observed(_ info: NodeInfoDocument) -> String {
        let addresses = info.observedAddresses ?? []
        return addresses.isEmpty ? "none yet" : addresses.joined(separator: ", ")
    }

    /// `public`, `private (DHT client)` or `unknown`.
    static func reachability(_ info: NodeInfoDocument) -> String {
        guard let status = info.reachability else { return "unknown" }
        return info.client == true ? "\(status.rawValue) (DHT client)" : status.rawValue
    }
}
