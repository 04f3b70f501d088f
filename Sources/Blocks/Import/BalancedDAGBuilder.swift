import DHTCrypto

/// Builds the UnixFS DAG of one file in kubo's balanced layout, streaming.
///
/// Layout (boxo `ipld/unixfs/importer/balanced`, with raw leaves as `ipfs add --cid-version=1` uses):
/// - the file is cut into fixed-size chunks; each chunk is a raw block (codec 0x55);
/// - a file of one chunk is that raw leaf; an empty file is one empty raw leaf;
/// - otherwise every leaf sits at the same depth, and internal nodes are filled left to right with up to
///   `maxLinks` links; the root is the single node at the top;
/// - an internal node is a dag-pb ``PBNode`` with all links first (Hash, `Name = ""`, Tsize = the size of the
///   child block plus the Tsize of each of the child's links), then `Data` = ``UnixFSData``
///   `{Type: File, filesize, blocksizes}` with `blocksizes` unpacked.
///
/// Streaming: feed bytes with ``append(_:emit:)`` in pieces of any size and call ``finish(emit:)`` at the end.
/// Blocks are handed to `emit` as soon as they are complete, children before their parents. Memory held: one
/// partial chunk plus, per tree level, the pending links of the one unfinished node (at most `maxLinks` each,
/// about 60 bytes apiece) — a few MiB for a file of any size.
///
/// If `emit` throws, the error comes out of ``append(_:emit:)`` or ``finish(emit:)`` and that file's import is
/// over: start a new builder (the blocks already emitted are valid blocks, just not a complete DAG).
public struct BalancedDAGBuilder: Sendable {
    /// What a parent needs to know about a finished child.
    private struct PendingLink: Sendable {
        var cid: CID
        /// The child's block size plus the Tsize of its links.
        var tsize: UInt64
        /// The file bytes under the child.
        var fileSize: UInt64
    }

    /// The profile in use.
    public let profile: ImportProfile

    private var chunker: FixedSizeChunker
    /// `levels[0]` holds leaves of the unfinished depth-1 node, `levels[1]` finished depth-1 nodes, and so on.
    private var levels: [[PendingLink]] = []
    private var leafCount: UInt64 = 0
    private var blockCount: UInt64 = 0
    private var byteCount: UInt64 = 0
    /// Whether a hashed leaf shorter than a chunk came: only the last leaf may be.
    private var hasShortLeaf = false

    /// Creates a builder for one file.
    public init(profile: ImportProfile = .unixfsV0_2015_cidv1) {
        self.profile = profile
        self.chunker = FixedSizeChunker(chunkSize: profile.chunkSize)
    }

    /// File bytes appended so far.
    public var fileSize: UInt64 { byteCount }

    /// Links held for unfinished nodes, over all levels: at most `maxLinks` per level (for memory tests).
    var pendingLinkCount: Int { levels.reduce(0) { $0 + $1.count } }

    /// Tree levels in use so far.
    var levelCount: Int { levels.count }

    /// Bytes held in the partial chunk.
    var pendingChunkByteCount: Int { chunker.pendingByteCount }

    /// Appends file bytes; `emit` receives each block completed by them.
    public mutating func append<E: Error>(
        _ bytes: some ContiguousBytes,
        emit: (Block) throws(E) -> Void
    ) throws(E) {
        let added = bytes.withUnsafeBytes { $0.count }
        // Move the chunker out so that its closure can update the tree in `self` without overlapping access;
        // leaving an empty chunker behind keeps the partial chunk's buffer uniquely referenced (no copy).
        var chunker = self.chunker
        self.chunker = FixedSizeChunker(chunkSize: profile.chunkSize)
        defer {
            self.chunker = chunker
            byteCount += UInt64(added)
        }
        try chunker.append(bytes) { (chunk: [UInt8]) throws(E) in
            try self.addLeaf(chunk, emit: emit)
        }
    }

    /// Appends a leaf hashed elsewhere, as if its chunk had been appended: `cid` names a raw leaf of `size` file
    /// bytes; `emit` receives the nodes it completes (not the leaf, whose bytes the caller holds).
    ///
    /// For importers that hash a file's chunks on several threads and hand the leaves over in file order. Every leaf
    /// but the last is a whole chunk, and no bytes appended with ``append(_:emit:)`` may be waiting in a partial
    /// chunk.
    public mutating func appendHashedLeaf<E: Error>(
        _ cid: CID,
        size: Int,
        emit: (Block) throws(E) -> Void
    ) throws(E) {
        precondition(chunker.pendingByteCount == 0, "BalancedDAGBuilder: a hashed leaf after a partial chunk")
        precondition(size > 0 && size <= profile.chunkSize, "BalancedDAGBuilder: a hashed leaf of \(size) bytes")
        precondition(!hasShortLeaf, "BalancedDAGBuilder: a hashed leaf after a short one")
        hasShortLeaf = size < profile.chunkSize
        byteCount += UInt64(size)
        try pushLeaf(cid, size: UInt64(size), emit: emit)
    }

    /// Appends file bytes and puts each completed block into `store`.
    public mutating func append(_ bytes: some ContiguousBytes, to store: some BlockStore) throws(BlockStoreError) {
        try append(bytes) { (block: Block) throws(BlockStoreError) in try store.put(block) }
    }

    /// Completes the file: emits the last leaf and every unfinished node, and returns the root.
    ///
    /// The builder is then empty and can build another file.
    public mutating func finish<E: Error>(emit: (Block) throws(E) -> Void) throws(E) -> ImportResult {
        let last = chunker.finish()
        if !last.isEmpty || leafCount == 0 {
            // The partial last chunk, or the single empty leaf of an empty file.
            try addLeaf(last, emit: emit)
        }
        var level = 0
        var root: PendingLink?
        while level < levels.count {
            let isTop = level == levels.count - 1
            if isTop && levels[level].count == 1 {
                root = levels[level][0]
                break
            }
            if !levels[level].isEmpty {
                let node = makeNode(levels[level])
                levels[level].removeAll(keepingCapacity: true)
                try emit(node.block)
                blockCount += 1
                push(node.link, at: level + 1)
            }
            level += 1
        }
        // There is at least one leaf, and flushing a level of two or more links always makes a level above it,
        // so the loop always ends at a top level of exactly one link.
        guard let root else { preconditionFailure("BalancedDAGBuilder: a finished DAG has exactly one root") }
        let result = ImportResult(
            root: root.cid,
            fileSize: byteCount,
            rootTsize: root.tsize,
            blockCount: blockCount,
            leafCount: leafCount)
        self = BalancedDAGBuilder(profile: profile)
        return result
    }

    /// Completes the file, putting the remaining blocks into `store`.
    public mutating func finish(to store: some BlockStore) throws(BlockStoreError) -> ImportResult {
        try finish { (block: Block) throws(BlockStoreError) in try store.put(block) }
    }

    /// Imports a whole buffer at once (small files and tests); returns the root.
    public static func importBytes(
        _ bytes: some ContiguousBytes,
        profile: ImportProfile = .unixfsV0_2015_cidv1,
        to store: some BlockStore
    ) throws(BlockStoreError) -> ImportResult {
        var builder = BalancedDAGBuilder(profile: profile)
        try builder.append(bytes, to: store)
        return try builder.finish(to: store)
    }

    // MARK: Tree

    private mutating func addLeaf<E: Error>(_ chunk: [UInt8], emit: (Block) throws(E) -> Void) throws(E) {
        let cid = CID.raw(Multihash(hashing: chunk))
        // Chunks are at most 1 MiB (ImportProfile), within Block.maxByteCount.
        try emit(Block(uncheckedCID: cid, bytes: chunk))
        try pushLeaf(cid, size: UInt64(chunk.count), emit: emit)
    }

    /// Counts a leaf and closes every node it fills.
    private mutating func pushLeaf<E: Error>(_ cid: CID, size: UInt64, emit: (Block) throws(E) -> Void) throws(E) {
        blockCount += 1
        leafCount += 1
        push(PendingLink(cid: cid, tsize: size, fileSize: size), at: 0)
        // Close every node that is full; a full node is final whatever comes after it.
        var level = 0
        while levels[level].count == profile.maxLinks {
            let node = makeNode(levels[level])
            levels[level].removeAll(keepingCapacity: true)
            try emit(node.block)
            blockCount += 1
            push(node.link, at: level + 1)
            level += 1
        }
    }

    private mutating func push(_ link: PendingLink, at level: Int) {
        while levels.count <= level {
            var fresh: [PendingLink] = []
            fresh.reserveCapacity(profile.maxLinks)
            levels.append(fresh)
        }
        levels[level].append(link)
    }

    private func makeNode(_ children: [PendingLink]) -> (block: Block, link: PendingLink) {
        var links: [PBLink] = []
        links.reserveCapacity(children.count)
        var blocksizes: [UInt64] = []
        blocksizes.reserveCapacity(children.count)
        var childTsize: UInt64 = 0
        for child in children {
            links.append(PBLink(hash: child.cid, name: "", tsize: child.tsize))
            blocksizes.append(child.fileSize)
            childTsize += child.tsize
        }
        let unixfs = UnixFSData.fileNode(blocksizes: blocksizes)
        let bytes = PBNode(links: links, data: unixfs.encoded()).encoded()
        let cid = CID.dagPB(Multihash(hashing: bytes))
        let link = PendingLink(
            cid: cid, tsize: UInt64(bytes.count) + childTsize, fileSize: unixfs.filesize ?? 0)
        return (Block(uncheckedCID: cid, bytes: bytes), link)
    }
}

/// The outcome of importing one file.
public struct ImportResult: Hashable, Sendable {
    /// The root CID: a raw leaf for files of at most one chunk, a dag-pb node otherwise.
    public var root: CID
    /// The file size in bytes.
    public var fileSize: UInt64
    /// The Tsize a parent link to the root would carry: every block's size in the DAG, summed.
    public var rootTsize: UInt64
    /// Blocks emitted, leaves and nodes.
    public var blockCount: UInt64
    /// Leaves emitted.
    public var leafCount: UInt64
}
