import ArgumentParser
import DHTCrypto

/// `dhtnode swarm-key generate > swarm.key`: a new private swarm's key, in the key file format.
struct SwarmKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swarm-key",
        abstract: "Make the key of a private swarm.",
        subcommands: [Generate.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random swarm key in the key file format.",
            discussion: """
                The format is libp2p's: /key/swarm/psk/1.0.0/, /base16/, then 64 hex digits. Save it and give it \
                to every member (dhtnode run --swarm-key FILE); keep it readable by its owner only \
                (umask 077, or chmod 600 FILE): anyone who reads it can join the swarm.
                """
        )

        @Flag(help: "Print {\"keyFile\": TEXT}: the key file's text as one JSON string.")
        var json = false

        func run() throws {
            let text = SwarmKeyFile.text(for: .generate())
            if json { return try JSONOutput.print(["keyFile": text]) }
            print(text, terminator: "")
        }
    }
}
