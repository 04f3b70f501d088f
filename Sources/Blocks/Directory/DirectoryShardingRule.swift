/// When kubo stops storing a directory as one dag-pb node and switches it to a HAMT shard (boxo
/// `ipld/unixfs/io/directory.go`, `HAMTShardingSize` and `SizeEstimationMode`).
///
/// Both rules compare an estimate of the directory node's size with a threshold (256 KiB for both named profiles)
/// and shard when the estimate is strictly greater: a directory exactly at the threshold stays a basic directory
/// (boxo: "converts to HAMT when estimatedSize > HAMTShardingSize"; kubo's `test/cli/cid_profiles_test.go` checks
/// both sides of the boundary).
///
/// swift-dht builds no HAMT yet: a directory past its rule is refused with
/// ``DirectoryImportError/wouldBeSharded(directory:entryCount:estimatedSize:threshold:rule:)`` rather than stored
/// under a CID that kubo would not give it.
public struct DirectoryShardingRule: Hashable, Sendable, CustomStringConvertible {
    /// How the directory's size is estimated.
    public enum Estimate: Hashable, Sendable {
        /// kubo's legacy estimate (`Import.UnixFSHAMTDirectorySizeEstimation = links`, the default of
        /// `unixfs-v0-2015`): the sum over links of the name's UTF-8 bytes plus the CID's bytes. It ignores
        /// Tsize, protobuf framing and the UnixFS `Data` field.
        case linkNamesAndCIDs
        /// IPIP-499's estimate (`Import.UnixFSHAMTDirectorySizeEstimation = block`, `unixfs-v1-2025`): the exact
        /// serialized size of the dag-pb directory block, links with their Tsize and framing included.
        case blockSize
    }

    /// The estimate in use.
    public let estimate: Estimate
    /// The largest estimate that still gives a basic (single-node) directory, in bytes.
    public let threshold: Int

    /// A rule.
    public init(estimate: Estimate, threshold: Int) {
        self.estimate = estimate
        self.threshold = threshold
    }

    /// boxo's `HAMTShardingSize`: 256 KiB.
    public static let kuboThreshold = 256 * 1024

    /// `unixfs-v0-2015` (kubo's default): link names and CIDs against 256 KiB.
    public static let legacyLinks = DirectoryShardingRule(estimate: .linkNamesAndCIDs, threshold: kuboThreshold)

    /// `unixfs-v1-2025` (IPIP-499): the block size against 256 KiB.
    public static let blockBytes = DirectoryShardingRule(estimate: .blockSize, threshold: kuboThreshold)

    /// The estimate for a directory with `links` whose encoded block is `blockByteCount` bytes long.
    public func estimatedSize(links: [PBLink], blockByteCount: Int) -> Int {
        switch estimate {
        case .linkNamesAndCIDs:
            links.reduce(0) { $0 + ($1.name?.utf8.count ?? 0) + $1.hash.byteCount }
        case .blockSize:
            blockByteCount
        }
    }

    /// Whether kubo would shard a directory of this estimated size.
    public func shards(estimatedSize: Int) -> Bool { estimatedSize > threshold }

    /// `links estimate > 262144 bytes` or `block size > 262144 bytes`.
    public var description: String {
        switch estimate {
        case .linkNamesAndCIDs: "link names + CIDs > \(threshold) bytes"
        case .blockSize: "block size > \(threshold) bytes"
        }
    }
}
