/// One verified block of a UnixFS file DAG, decoded: its own file bytes, its children and their sizes.
struct FileNode: Sendable {
    /// File bytes held in the block itself: a raw leaf's bytes, or a dag-pb node's UnixFS `Data`.
    var bytes: [UInt8]
    /// The children, in file order.
    var children: [CID]
    /// The file bytes under each child (`blocksizes`).
    var sizes: [UInt64]
    /// The file bytes under this block: its own plus its children's.
    var fileSize: UInt64

    /// Verifies that `bytes` (at most ``Block/maxByteCount``) hash to `cid`, then decodes them as a raw leaf or a
    /// UnixFS `File`/`Raw` node.
    ///
    /// Checks: the hash (first, before anything else looks at the bytes); strict dag-pb; UnixFS `Data` present,
    /// of type `File` or `Raw`; one `blocksizes` entry per link; `filesize`, when present, equal to the node's own
    /// data plus its `blocksizes` (UnixFS spec: `filesize` is the total file size under the node).
    init(verifying bytes: [UInt8], as cid: CID) throws(DAGReadError) {
        // DESIGN: blocks up to 2 MiB. Refuse a larger one before spending time hashing it.
        guard bytes.count <= Block.maxByteCount else { throw .blockTooLarge(cid, byteCount: bytes.count) }
        guard cid.multihash.matches(bytes) else { throw .hashMismatch(cid) }
        try self.init(decoding: bytes, as: cid)
    }

    /// Decodes a ``Block`` (verified by construction, so not hashed again) as a raw leaf or a UnixFS file node,
    /// with the same checks as ``init(verifying:as:)`` after the hash.
    init(_ block: Block) throws(DAGReadError) {
        try self.init(decoding: block.bytes, as: block.cid)
    }

    private init(decoding bytes: [UInt8], as cid: CID) throws(DAGReadError) {
        switch cid.codec {
        case .raw:
            self.init(bytes: bytes, children: [], sizes: [], fileSize: UInt64(bytes.count))
        case .dagPB:
            let node: PBNode
            do { node = try PBNode(decoding: bytes) } catch { throw .invalidDagPB(cid, error) }
            guard let data = node.data else { throw .missingUnixFSData(cid) }
            let unixfs: UnixFSData
            do { unixfs = try UnixFSData(decoding: data) } catch { throw .invalidUnixFS(cid, error) }
            guard unixfs.type == .file || unixfs.type == .raw else { throw .notAFile(cid, unixfs.type) }
            guard unixfs.blocksizes.count == node.links.count else {
                throw .blocksizesMismatch(cid, links: node.links.count, blocksizes: unixfs.blocksizes.count)
            }
            let own = unixfs.data ?? []
            var total = UInt64(own.count)
            for size in unixfs.blocksizes {
                let (sum, overflow) = total.addingReportingOverflow(size)
                guard !overflow else { throw .filesizeMismatch(cid, declared: unixfs.filesize, computed: nil) }
                total = sum
            }
            if let declared = unixfs.filesize, declared != total {
                throw .filesizeMismatch(cid, declared: declared, computed: total)
            }
            self.init(bytes: own, children: node.links.map(\.hash), sizes: unixfs.blocksizes, fileSize: total)
        case .sha2_256:
            throw .unsupportedCodec(cid)
        }
    }

    private init(bytes: [UInt8], children: [CID], sizes: [UInt64], fileSize: UInt64) {
        self.bytes = bytes
        self.children = children
        self.sizes = sizes
        self.fileSize = fileSize
    }
}
