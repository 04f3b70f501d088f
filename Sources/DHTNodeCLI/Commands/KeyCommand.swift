import ArgumentParser
import DHTCrypto
import DHTDaemon
import Names

/// `dhtnode key gen|ls|rm`: the Ed25519 keys that sign IPNS names, kept in the data folder beside the node's
/// identity (which is the key `self`).
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Manage the keys that sign IPNS names (the node's identity is the key 'self').",
        subcommands: [Generate.self, List.self, Remove.self]
    )

    /// One key as `ls --json` and `gen --json` print it.
    struct KeyDocument: Encodable {
        var name: String
        /// The IPNS name, base36 (`k51…`); absent only for a removed key that could not be read.
        var ipns: String?
        /// The same key as a libp2p peer ID (`12D3KooW…`).
        var peerID: String?
        var path: String
    }

    static func document(name: String, identity: NodeIdentity, store: NameKeyStore) -> KeyDocument {
        let ipns = IPNSName(publicKey: identity.publicKey)
        return KeyDocument(name: name, ipns: ipns.base36, peerID: ipns.peerID, path: store.path(of: name))
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gen",
            abstract: "Generate a new Ed25519 key and print its IPNS name.",
            discussion: """
                The key is saved in DIR/keys/NAME.key (mode 0600), in the format of the node's identity file. \
                Names: 1 to 64 characters of A-Z a-z 0-9 . _ -; 'self' is the node's identity.
                """
        )

        @OptionGroup var options: KeyStoreOptions

        @Argument(help: "The key's name.")
        var name: String

        func run() throws {
            let store = options.store
            let identity = try options.using { store throws(NameKeyError) in try store.generate(name) }
            let document = KeyCommand.document(name: name, identity: identity, store: store)
            if options.json { return try JSONOutput.print(document) }
            print(document.ipns ?? "")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List the keys and their IPNS names ('self' once the node has an identity)."
        )

        @OptionGroup var options: KeyStoreOptions

        func run() throws {
            let store = options.store
            let keys = try options.using { store throws(NameKeyError) in try store.list() }
            let documents = keys.map { KeyCommand.document(name: $0.name, identity: $0.identity, store: store) }
            if options.json { return try JSONOutput.print(["keys": documents]) }
            guard !documents.isEmpty else { return }
            print(TextTable.columns(["NAME", "IPNS NAME"], documents.map { [$0.name, $0.ipns ?? ""] }))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract:
                "Remove a key (its name can no longer be updated; records already made stay valid until they expire)."
        )

        @OptionGroup var options: KeyStoreOptions

        @Argument(help: "The key's name.")
        var name: String

        func run() throws {
            let store = options.store
            // The name is printed when the key can be read; a key that cannot (a file open to others, a corrupt
            // one) can still be removed.
            let identity = try? store.load(name)
            try options.using { store throws(NameKeyError) in try store.remove(name) }
            let document =
                identity.map { KeyCommand.document(name: name, identity: $0, store: store) }
                ?? KeyDocument(name: name, ipns: nil, peerID: nil, path: store.path(of: name))
            if options.json { return try JSONOutput.print(["removed": document]) }
            print("removed \(name)" + (document.ipns.map { " \($0)" } ?? ""))
        }
    }
}
