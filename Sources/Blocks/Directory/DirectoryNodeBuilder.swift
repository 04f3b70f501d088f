/// Builds one basic UnixFS directory node the way kubo does (boxo `ipld/unixfs/io/directory.go`,
/// `BasicDirectory`, through go-merkledag):
///
/// - a dag-pb ``PBNode`` whose `Data` is ``UnixFSData`` `{Type: Directory}` (bytes `08 01`: no mode, no mtime,
///   as `ipfs add` writes without `--preserve-mode`/`--preserve-mtime`);
/// - one link per entry, sorted by the name's bytes, each with Hash, Name and Tsize (the cumulative size of the
///   entry's DAG);
/// - CIDv1 dag-pb, sha2-256. The empty directory is `bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354`.
///
/// The directory's own Tsize, for its parent's link, is the node's size plus the Tsize of every entry.
///
/// Before it hands out a block, it checks the profile's ``DirectoryShardingRule``: kubo would store a directory
/// past the rule as a HAMT shard, which swift-dht does not build, so ``finish(sharding:)`` throws
/// ``DirectoryImportError/wouldBeSharded(directory:entryCount:estimatedSize:threshold:rule:)`` instead.
public struct DirectoryNodeBuilder: Sendable {
    /// The directory's path, for errors.
    public let path: String
    private var entries: [DirectoryEntry] = []
    private var names: Set<[UInt8]> = []

    /// A builder for the directory at `path` (used in error messages only).
    public init(path: String) {
        self.path = path
    }

    /// The entries added so far.
    public var entryCount: Int { entries.count }

    /// Adds an entry.
    ///
    /// - Throws: ``DirectoryImportError/invalidEntryName(directory:name:)`` for a name that cannot be an entry,
    ///   ``DirectoryImportError/duplicateEntryName(directory:name:)`` for a name already added (compared by
    ///   bytes: `é` precomposed and decomposed are two names, as they are on disk).
    public mutating func add(_ entry: DirectoryEntry) throws(DirectoryImportError) {
        guard DirectoryEntry.isValidName(entry.name) else {
            throw .invalidEntryName(directory: path, name: entry.name)
        }
        guard names.insert(Array(entry.name.utf8)).inserted else {
            throw .duplicateEntryName(directory: path, name: entry.name)
        }
        entries.append(entry)
    }

    /// Builds the node.
    ///
    /// - Throws: ``DirectoryImportError/wouldBeSharded(directory:entryCount:estimatedSize:threshold:rule:)`` when
    ///   kubo would shard the directory under `sharding`.
    public func finish(sharding: DirectoryShardingRule) throws(DirectoryImportError) -> BuiltDirectory {
        let sorted = entries.sorted { DirectoryEntry.nameBytesPrecede($0.name, $1.name) }
        let links = sorted.map { PBLink(hash: $0.cid, name: $0.name, tsize: $0.tsize) }
        let bytes = PBNode(links: links, data: UnixFSData(type: .directory).encoded()).encoded()
        let estimate = sharding.estimatedSize(links: links, blockByteCount: bytes.count)
        guard !sharding.shards(estimatedSize: estimate) else {
            throw .wouldBeSharded(
                directory: path, entryCount: entries.count, estimatedSize: estimate, threshold: sharding.threshold,
                rule: sharding)
        }
        // Under 256 KiB of estimate, a node stays far below Block.maxByteCount (2 MiB): a link's bytes are at
        // most its estimate plus 16 bytes of framing, and each link's estimate is at least 37 bytes.
        let cid = CID.dagPB(Multihash(hashing: bytes))
        let tsize = sorted.reduce(UInt64(bytes.count)) { $0 + $1.tsize }
        return BuiltDirectory(block: Block(uncheckedCID: cid, bytes: bytes), tsize: tsize, entryCount: sorted.count)
    }
}

/// A directory node built by ``DirectoryNodeBuilder``.
public struct BuiltDirectory: Hashable, Sendable {
    /// The directory's block (CIDv1 dag-pb).
    public var block: Block
    /// The Tsize a parent's link to it carries: the block's size plus the Tsize of its entries.
    public var tsize: UInt64
    /// The number of entries.
    public var entryCount: Int

    /// The directory's CID.
    public var cid: CID { block.cid }
}
