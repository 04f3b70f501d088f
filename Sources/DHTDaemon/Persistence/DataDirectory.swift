import DHTCrypto
import Foundation

/// The folder a `dhtnode` daemon keeps its files in (`--data DIR`; default `$DHTNODE_DATA`, else `~/.dhtnode`).
///
/// | file | what | written |
/// |---|---|---|
/// | `identity` | the node's Ed25519 seed (``IdentityFile``, mode 0600) | once, at the first start |
/// | `keys/NAME.key` | named Ed25519 keys for IPNS names, stored as the identity is (``NameKeyStore``) | by `dhtnode key gen` |
/// | `state.json` | routing-table contacts and records (``StateFile``) | every 60 s and at shutdown, atomically |
/// | `api.json` | where the running daemon's control API listens, and its PID (``APIEndpoint``) | at start; removed at shutdown |
/// | `api-token` | the control API's bearer token (``APIToken``, mode 0600) | anew at every start |
/// | `daemon.lock` | held (`flock`) while a daemon runs, so two never share the folder | at start |
/// | `repo/` | the block repository (``BlockRepository``): a running daemon holds its lock; without one, `dhtnode add`, `cat` and the other block commands open it directly | by the daemon, or by the block commands |
public struct DataDirectory: Hashable, Sendable {
    /// The folder's path.
    public var path: String

    /// A data directory at `path`.
    public init(path: String) {
        self.path = path
    }

    /// `explicit` when given; otherwise `$DHTNODE_DATA`, or `~/.dhtnode` when that is not set.
    public static func resolve(
        _ explicit: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> DataDirectory {
        if let explicit, !explicit.isEmpty { return DataDirectory(path: explicit) }
        if let data = environment["DHTNODE_DATA"], !data.isEmpty { return DataDirectory(path: data) }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return DataDirectory(path: home + "/.dhtnode")
    }

    /// The node's identity key file.
    public var identityPath: String { path + "/identity" }
    /// The persisted routing table and records.
    public var statePath: String { path + "/state.json" }
    /// Where the running daemon's API listens.
    public var apiEndpointPath: String { path + "/api.json" }
    /// The API's bearer token.
    public var apiTokenPath: String { path + "/api-token" }
    /// The block repository.
    public var repositoryPath: String { path + "/repo" }
    /// The lock a running daemon holds (``DaemonLock``).
    public var lockPath: String { path + "/daemon.lock" }

    /// Creates the folder (mode 0700: it holds the identity and the token) and its missing parents.
    public func create() throws(PersistenceError) {
        try POSIXFile.createFolder(path, mode: 0o700)
    }

    /// The identity in `identity`, created (mode 0600) on first use.
    ///
    /// - Returns: the identity and whether it was created now.
    public func loadOrCreateIdentity() throws(IdentityFileError) -> (identity: NodeIdentity, created: Bool) {
        do {
            return (try IdentityFile.load(from: identityPath), false)
        } catch  where error.code == .fileMissing {
            let identity = NodeIdentity.generate()
            try IdentityFile.save(identity, to: identityPath)
            return (identity, true)
        }
    }
}
