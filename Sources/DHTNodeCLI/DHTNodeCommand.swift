import ArgumentParser

@main
struct DHTNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dhtnode",
        abstract: "A peer-to-peer, content-addressed store over a Kademlia DHT."
    )
}
