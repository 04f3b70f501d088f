import DHTCrypto
import Foundation

/// The named Ed25519 keys of a data folder, which sign IPNS names: `DIR/keys/NAME.key`.
///
/// Each key is stored as the node's identity is (``IdentityFile``: the seed in a text file of mode 0600, refused
/// when group or others may read or write it), in a folder of mode 0700. The node's identity itself
/// (`DIR/identity`) is the key named `self`: it can be listed and used, but neither generated nor removed here.
///
/// Names are 1 to 64 characters of `A–Z a–z 0–9 . _ -`, not starting with `.` or `-`; files are named `NAME.key`,
/// so the temporary files ``IdentityFile`` writes while saving (`NAME.key.tmp-…`) are never listed as keys.
public struct NameKeyStore: Sendable {
    /// The name of the node's own identity.
    public static let selfName = "self"
    /// The longest key name.
    public static let maximumNameLength = 64

    /// The data folder.
    public let dataDirectory: DataDirectory

    /// The key store of `dataDirectory`.
    public init(dataDirectory: DataDirectory) {
        self.dataDirectory = dataDirectory
    }

    /// The folder of named keys.
    public var folder: String { dataDirectory.path + "/keys" }

    /// The file of the key `name` (the identity file for `self`).
    public func path(of name: String) -> String {
        name == Self.selfName ? dataDirectory.identityPath : folder + "/" + name + ".key"
    }

    /// Checks that `name` can name a key file.
    public static func validate(name: String) throws(NameKeyError) {
        let utf8 = Array(name.utf8)
        guard !utf8.isEmpty, utf8.count <= maximumNameLength else { throw .invalidName(name) }
        guard utf8[0] != UInt8(ascii: "."), utf8[0] != UInt8(ascii: "-") else { throw .invalidName(name) }
        let allowed = utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
        guard allowed else { throw .invalidName(name) }
    }

    /// Generates a new key `name` and saves it (creating the data folder and `keys/` with mode 0700).
    ///
    /// - Throws: ``NameKeyError`` for `self`, an invalid name, a key of that name already present, or a file
    ///   that could not be written.
    public func generate(_ name: String) throws(NameKeyError) -> NodeIdentity {
        guard name != Self.selfName else { throw .selfReserved(path: dataDirectory.identityPath, action: "generated") }
        try Self.validate(name: name)
        do {
            try dataDirectory.create()
            try POSIXFile.createFolder(folder, mode: 0o700)
        } catch {
            throw .folder(error)
        }
        let identity = NodeIdentity.generate()
        do {
            try IdentityFile.save(identity, to: path(of: name))
        } catch  where error.code == .fileExists {
            throw .exists(name: name, path: path(of: name))
        } catch {
            throw .file(name: name, error)
        }
        return identity
    }

    /// Loads the key `name` (`self`: the node's identity).
    ///
    /// - Throws: ``NameKeyError`` for an invalid name, a missing key, or a key file that cannot be used (open to
    ///   others, malformed, unreadable).
    public func load(_ name: String) throws(NameKeyError) -> NodeIdentity {
        if name != Self.selfName { try Self.validate(name: name) }
        do {
            return try IdentityFile.load(from: path(of: name))
        } catch  where error.code == .fileMissing {
            throw .missing(name: name, path: path(of: name))
        } catch {
            throw .file(name: name, error)
        }
    }

    /// The node's identity, created as `dhtnode run` creates it when there is none yet.
    public func loadOrCreateSelf() throws(NameKeyError) -> NodeIdentity {
        do {
            try dataDirectory.create()
        } catch {
            throw .folder(error)
        }
        do {
            return try dataDirectory.loadOrCreateIdentity().identity
        } catch {
            throw .file(name: Self.selfName, error)
        }
    }

    /// Every key, `self` first (when the node has an identity), then the others by name. Each key file is
    /// loaded, so a key that cannot be used fails the listing with a line naming it.
    public func list() throws(NameKeyError) -> [(name: String, identity: NodeIdentity)] {
        var keys: [(name: String, identity: NodeIdentity)] = []
        if POSIXFile.exists(dataDirectory.identityPath) {
            keys.append((Self.selfName, try load(Self.selfName)))
        }
        guard POSIXFile.exists(folder) else { return keys }
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw .folder(PersistenceError(.io, path: folder, reason: error.localizedDescription))
        }
        let names = files.compactMap { file -> String? in
            guard file.hasSuffix(".key") else { return nil }
            let name = String(file.dropLast(".key".count))
            guard name != Self.selfName, (try? Self.validate(name: name)) != nil else { return nil }
            return name
        }
        for name in names.sorted() {
            keys.append((name, try load(name)))
        }
        return keys
    }

    /// Removes the key `name`.
    ///
    /// - Throws: ``NameKeyError`` for `self`, an invalid name, a missing key, or a file that could not be removed.
    public func remove(_ name: String) throws(NameKeyError) {
        guard name != Self.selfName else { throw .selfReserved(path: dataDirectory.identityPath, action: "removed") }
        try Self.validate(name: name)
        let path = path(of: name)
        guard POSIXFile.exists(path) else { throw .missing(name: name, path: path) }
        do {
            try POSIXFile.remove(path)
        } catch {
            throw .folder(error)
        }
    }
}

/// Why a named key could not be generated, loaded, listed or removed; ``description`` is one line naming the key
/// and its file.
public enum NameKeyError: Error, Sendable, CustomStringConvertible {
    /// The name has characters other than `A–Z a–z 0–9 . _ -`, starts with `.` or `-`, or is empty or too long.
    case invalidName(String)
    /// `self` is the node's identity: it is not generated or removed as a named key.
    case selfReserved(path: String, action: String)
    /// A key of that name exists.
    case exists(name: String, path: String)
    /// No key of that name exists.
    case missing(name: String, path: String)
    /// The key's file could not be read or written.
    case file(name: String, IdentityFileError)
    /// The data folder or the keys folder could not be created or read.
    case folder(PersistenceError)

    /// One line naming what failed and where.
    public var description: String {
        switch self {
        case .invalidName(let name):
            "invalid key name '\(name)': use 1 to \(NameKeyStore.maximumNameLength) characters of A-Z a-z 0-9 . _ -, "
                + "not starting with . or -"
        case .selfReserved(let path, let action):
            "the key 'self' is the node's identity (\(path)); it cannot be \(action) with dhtnode key"
        case .exists(let name, let path): "a key named '\(name)' already exists at \(path)"
        case .missing(let name, let path): "no key named '\(name)' (no file \(path))"
        case .file(let name, let error): "key '\(name)': \(error)"
        case .folder(let error): "key store: \(error)"
        }
    }
}
