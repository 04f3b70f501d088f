import DHTCrypto
import DHTNode
import Foundation
import Logging
import Names
import NIOConcurrencyHelpers

/// The daemon's names: publishes through the node with keys from the data directory's key store, remembers what it
/// publishes in `names.json` so that a restarted daemon keeps the names alive, and resolves for the API and the
/// gateway.
public final class NameService: Sendable {
    /// One name the daemon publishes, as `names.json` keeps it.
    public struct Entry: Codable, Hashable, Sendable {
        /// The key's name in the key store (`self`: the node's identity).
        public var key: String
        /// What the name points at.
        public var value: String
        /// The record's lifetime, in seconds.
        public var lifetimeSeconds: Int64
        /// The record's TTL, in seconds.
        public var ttlSeconds: Int64
    }

    /// Most names `names.json` keeps (the node keeps as many).
    public static let maximumEntries = 4096

    let node: Node
    let keys: NameKeyStore
    private let path: String
    private let logger: Logger
    private let entries: NIOLockedValueBox<[String: Entry]>

    /// A service over `node` with the keys and `names.json` of `dataDirectory`.
    public init(node: Node, dataDirectory: DataDirectory, logger: Logger) {
        self.node = node
        self.keys = NameKeyStore(dataDirectory: dataDirectory)
        self.path = dataDirectory.path + "/names.json"
        self.logger = logger
        self.entries = NIOLockedValueBox(Self.load(path, logger: logger))
    }

    /// Publishes `value` under the name of `keyName` and remembers it.
    public func publish(
        _ value: String,
        keyName: String,
        lifetime: Duration,
        ttl: Duration
    ) async throws -> NamePublication {
        let identity: NodeIdentity
        do {
            identity = keyName == NameKeyStore.selfName ? node.configuration.identity : try keys.load(keyName)
        } catch {
            throw APIError(.notFound, code: "no_such_key", message: error.description)
        }
        let name = IPNSName(publicKey: identity.publicKey)
        let entry = Entry(
            key: keyName, value: value, lifetimeSeconds: lifetime.components.seconds,
            ttlSeconds: ttl.components.seconds)
        let publication: NamePublication
        do {
            publication = try await node.publish(value, key: identity, lifetime: lifetime, ttl: ttl)
        } catch NodeError.noReachableNodes {
            // Kept by the node, which announces it when it gains contacts: remembered all the same.
            remember(name, entry)
            throw NodeError.noReachableNodes
        }
        remember(name, entry)
        return publication
    }

    /// The newest record of `name`.
    public func resolve(_ name: IPNSName) async throws -> ResolvedName {
        try await node.resolve(name)
    }

    /// Publishes again every name of `names.json` (after a restart: a fresh record, the next sequence).
    public func republishSaved() async {
        let saved = entries.withLockedValue { $0 }
        for (name, entry) in saved.sorted(by: { $0.key < $1.key }) {
            guard !Task.isCancelled else { return }
            do {
                _ = try await publish(
                    entry.value, keyName: entry.key, lifetime: .seconds(entry.lifetimeSeconds),
                    ttl: .seconds(entry.ttlSeconds))
            } catch {
                logger.warning("cannot publish /ipns/\(name) again", metadata: ["error": "\(error)"])
            }
        }
    }

    private func remember(_ name: IPNSName, _ entry: Entry) {
        let snapshot = entries.withLockedValue { entries -> [String: Entry]? in
            guard entries[name.description] != entry else { return nil }
            guard entries[name.description] != nil || entries.count < Self.maximumEntries else { return nil }
            entries[name.description] = entry
            return entries
        }
        guard let snapshot else { return }
        do {
            try JSONFile.write(snapshot, to: path, mode: 0o600, pretty: true)
        } catch {
            logger.warning("cannot save names.json", metadata: ["error": "\(error.description)"])
        }
    }

    private static func load(_ path: String, logger: Logger) -> [String: Entry] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        do {
            let bytes = try POSIXFile.readAll(path, limit: 4 * 1024 * 1024)
            let decoded = try JSONDecoder().decode([String: Entry].self, from: Data(bytes))
            return decoded.filter { (try? IPNSName(parsing: $0.key)) != nil }
        } catch {
            logger.warning("ignoring names.json: it cannot be read", metadata: ["error": "\(error)"])
            return [:]
        }
    }
}
