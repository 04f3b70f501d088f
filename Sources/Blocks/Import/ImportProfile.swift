/// How a file is cut into blocks and arranged into a DAG (chunk size, the most links per node), and when a
/// directory would be sharded.
///
/// Both named profiles use fixed-size chunks, raw leaves, CIDv1, sha2-256 and the balanced UnixFS layout.
public struct ImportProfile: Hashable, Sendable, CustomStringConvertible {
    /// The largest chunk accepted: 1 MiB (leaves stay well under ``Block/maxByteCount``).
    public static let maxChunkSize = 1024 * 1024

    /// The largest link count accepted per node; 1024 links of a 36-byte CID keep a node near 50 KB.
    public static let maxLinksLimit = 4096

    /// The name, e.g. `unixfs-v0-2015+cidv1`, or `custom` for a profile built from numbers.
    public let name: String
    /// Bytes per leaf (the last leaf may be shorter).
    public let chunkSize: Int
    /// The most links in one internal node.
    public let maxLinks: Int
    /// When kubo would make a directory a HAMT shard under this profile.
    public let directorySharding: DirectoryShardingRule

    /// kubo's defaults with `--cid-version=1`: 262144-byte chunks, 174 links per node. The swift-dht default, and
    /// the profile under which root CIDs equal `ipfs add --cid-version=1`.
    public static let unixfsV0_2015_cidv1 = ImportProfile(
        uncheckedName: "unixfs-v0-2015+cidv1", chunkSize: 262_144, maxLinks: 174, directorySharding: .legacyLinks)

    /// IPIP-499's `unixfs-v1-2025` profile: 1 MiB chunks, 1024 links per node, directories sharded by block size.
    public static let unixfsV1_2025 = ImportProfile(
        uncheckedName: "unixfs-v1-2025", chunkSize: 1_048_576, maxLinks: 1024, directorySharding: .blockBytes)

    /// The named profiles.
    public static let named: [ImportProfile] = [.unixfsV0_2015_cidv1, .unixfsV1_2025]

    private init(uncheckedName name: String, chunkSize: Int, maxLinks: Int, directorySharding: DirectoryShardingRule) {
        self.name = name
        self.chunkSize = chunkSize
        self.maxLinks = maxLinks
        self.directorySharding = directorySharding
    }

    /// The named profile with this name, or `nil`.
    public init?(named name: String) {
        guard let profile = Self.named.first(where: { $0.name == name }) else { return nil }
        self = profile
    }

    /// A profile from numbers (for `--chunk-size`).
    ///
    /// - Throws: ``ImportProfileError`` when `chunkSize` is not in 1...``maxChunkSize`` or `maxLinks` not in
    ///   2...``maxLinksLimit``.
    public init(
        chunkSize: Int,
        maxLinks: Int,
        directorySharding: DirectoryShardingRule = .legacyLinks,
        name: String = "custom"
    ) throws(ImportProfileError) {
        guard (1...Self.maxChunkSize).contains(chunkSize) else { throw .chunkSize(chunkSize) }
        guard (2...Self.maxLinksLimit).contains(maxLinks) else { throw .maxLinks(maxLinks) }
        self.init(uncheckedName: name, chunkSize: chunkSize, maxLinks: maxLinks, directorySharding: directorySharding)
    }

    /// This profile with another chunk size (for `--chunk-size` on top of a named profile).
    public func withChunkSize(_ chunkSize: Int) throws(ImportProfileError) -> ImportProfile {
        try ImportProfile(
            chunkSize: chunkSize, maxLinks: maxLinks, directorySharding: directorySharding,
            name: "\(name) chunk=\(chunkSize)")
    }

    /// The name and the numbers.
    public var description: String { "\(name) (chunks of \(chunkSize) bytes, \(maxLinks) links per node)" }
}

/// Why numbers do not make an import profile.
public enum ImportProfileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The chunk size is outside 1...1 MiB.
    case chunkSize(Int)
    /// The link count is outside 2...4096.
    case maxLinks(Int)

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .chunkSize(let size): "chunk size \(size) is outside 1...\(ImportProfile.maxChunkSize)"
        case .maxLinks(let count): "links per node \(count) is outside 2...\(ImportProfile.maxLinksLimit)"
        }
    }
}
