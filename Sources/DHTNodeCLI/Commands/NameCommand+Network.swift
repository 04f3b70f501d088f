import ArgumentParser
import Blocks
import DHTDaemon
import DHTNode
import Foundation
import Names

extension NameCommand {
    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "publish",
            abstract: "Point an IPNS name at content, through the running daemon; prints the name.",
            discussion: """
                VALUE is a CID, /ipfs/CID/PATH, or /ipns/NAME. The daemon signs a record with the key (default: \
                self, the node's identity) one sequence above the newest it knows or finds, and stores it on the \
                nodes closest to the name. It keeps the name alive while it runs and after a restart: it stores \
                the record again every 4 hours, and signs a fresh one when half of the lifetime has passed.
                """
        )

        @OptionGroup var daemon: DaemonClientOptions

        @Argument(help: "What the name points at: CID, /ipfs/CID/PATH or /ipns/NAME.")
        var value: String

        @Option(name: .customLong("key"), help: "The key that owns the name (see dhtnode key ls).")
        var key = NameKeyStore.selfName

        @Option(help: "How long the record stays valid: 90s, 30m, 48h (holders keep a record at most 48 h).")
        var lifetime = "48h"

        @Option(help: "How long resolvers may cache the record.")
        var ttl = "5m"

        @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print the name only.")
        var quiet = false

        func validate() throws {
            let lifetime = try DurationText.parse(lifetime, what: "--lifetime")
            guard lifetime >= .seconds(1) else { throw ValidationError("--lifetime must be 1s or longer") }
            _ = try DurationText.parse(ttl, what: "--ttl")
            try NameKeyStore.validate(name: key)
        }

        func run() async throws {
            let request = PublishNameRequest(
                value: try NameCommand.Record.recordValue(value),
                key: key,
                lifetimeSeconds: try DurationText.parse(lifetime, what: "--lifetime").components.seconds,
                ttlSeconds: try DurationText.parse(ttl, what: "--ttl").components.seconds
            )
            let published = try await daemon.withClient { client throws(ControlClientError) in
                try await client.publishName(request)
            }
            if daemon.json { return try daemon.printJSON(published) }
            print(published.record.name)
            if !quiet {
                let record = published.record
                FileOutput.standardError(
                    "/ipns/\(record.name) -> \(UntrustedText.escaped(record.value)): sequence \(record.sequence), "
                        + "valid until \(record.validity), stored on \(published.accepted) of \(published.asked) nodes\n"
                )
            }
            guard published.accepted > 0 else { throw CLIError("no node accepted the record of /ipns/\(published.record.name)") }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resolve",
            abstract: "Print the path an IPNS name points at, through the running daemon.",
            discussion: """
                NAME is a k51… name, a CIDv1 of a libp2p key, or /ipns/NAME. The daemon asks several of the nodes \
                closest to the name, takes the newest valid record, and sends it to the nodes that held an older \
                one; it answers from its cache within the record's TTL. Exits 1 when no node holds a valid record.
                """
        )

        @OptionGroup var daemon: DaemonClientOptions

        @Argument(help: "The name: k51…, or /ipns/k51….")
        var name: String

        func run() async throws {
            let text = name.hasPrefix("/ipns/") ? String(name.dropFirst("/ipns/".count)) : name
            let parsed: IPNSName
            do {
                parsed = try IPNSName(parsing: text)
            } catch {
                throw CLIError("invalid name '\(UntrustedText.escaped(text, limit: 80))': \(error)")
            }
            let resolved = try await daemon.withClient { client throws(ControlClientError) in
                try await client.resolveName(parsed.base36)
            }
            if daemon.json { return try daemon.printJSON(resolved) }
            print(UntrustedText.escaped(resolved.record.value))
        }
    }
}
