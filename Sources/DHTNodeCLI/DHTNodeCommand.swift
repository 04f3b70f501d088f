import ArgumentParser

/// `dhtnode`: the swift-dht command line.
@main
struct DHTNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dhtnode",
        abstract: "A peer-to-peer, content-addressed store over a Kademlia DHT.",
        version: ToolVersion.current,
        subcommands: [
            SimulateCommand.self, AddCommand.self, CatCommand.self, GetCommand.self, LsCommand.self, PinCommand.self,
            GCCommand.self, RepoCommand.self, BlockCommand.self, CARCommand.self,
            RunCommand.self, IDCommand.self, PeersCommand.self, DHTCommand.self, SwarmKeyCommand.self,
            BenchCommand.self,
        ]
    )
}
