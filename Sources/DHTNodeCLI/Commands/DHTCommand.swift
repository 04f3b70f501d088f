import ArgumentParser
import Blocks

/// `dhtnode dht …`: the DHT's own records, apart from content: small values under keys, provider records, and
/// lookups. Content (files and directories by CID) has the top-level commands (`add`, `get`, `cat`, `ls`).
struct DHTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dht",
        abstract: "The DHT's records: values under keys, providers, lookups (through the running daemon).",
        subcommands: [
            PutCommand.self, DHTGetCommand.self, ProvideCommand.self, ProvidersCommand.self, FindNodeCommand.self,
        ]
    )

    /// Refuses a CID where a DHT key is meant, with the commands that do what the user most likely wants.
    static func refuseCID(_ text: String, as what: String) throws {
        guard text.count > 40, (text.hasPrefix("b") || text.hasPrefix("Qm")), (try? CID(parsing: text)) != nil else {
            return
        }
        throw ValidationError(
            "'\(text)' is a CID, not a DHT \(what): `dhtnode get \(text)` fetches its content, "
                + "`dhtnode dht providers \(text)` lists who provides it")
    }
}
