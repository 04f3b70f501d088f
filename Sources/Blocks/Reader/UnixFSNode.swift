/// What the root block of a UnixFS DAG is, decoded: a file, a directory, a symbolic link, or a HAMT shard.
///
/// Readers look at a block with this before they walk it: a file goes to ``FileDAGWalker``/``DAGReader``, a
/// directory lists its entries, a symlink carries its target. Directory entries are checked so that writing them
/// to a disk cannot leave the folder they are written to: every name passes ``DirectoryEntry/isValidName(_:)``
/// and no name appears twice.
public enum UnixFSNode: Hashable, Sendable {
    /// A file: a raw leaf, or a dag-pb UnixFS `File` or `Raw` node. Read it with ``DAGReader``.
    case file
    /// A basic directory and its entries, in link order.
    case directory([DirectoryEntry])
    /// A symbolic link and its target.
    case symlink(target: String)
    /// A HAMT-sharded directory (not read yet).
    case hamtShard

    /// Decodes `block` (already verified against its CID).
    ///
    /// - Throws: ``DAGReadError`` naming the block: not dag-pb or raw, undecodable dag-pb or UnixFS, a UnixFS type
    ///   that is not a file, directory, symlink or HAMT shard, a directory entry without a name or with an unsafe
    ///   or repeated one, a symlink target that is not UTF-8.
    public init(decoding block: Block) throws(DAGReadError) {
        let cid = block.cid
        switch cid.codec {
        case .raw:
            self = .file
            return
        case .dagPB:
            break
        case .sha2_256:
            throw .unsupportedCodec(cid)
        }
        let node: PBNode
        do { node = try PBNode(decoding: block.bytes) } catch { throw .invalidDagPB(cid, error) }
        guard let data = node.data else { throw .missingUnixFSData(cid) }
        let unixfs: UnixFSData
        do { unixfs = try UnixFSData(decoding: data) } catch { throw .invalidUnixFS(cid, error) }
        switch unixfs.type {
        case .file, .raw:
            self = .file
        case .directory:
            var entries: [DirectoryEntry] = []
            entries.reserveCapacity(node.links.count)
            var seen = Set<[UInt8]>()
            for link in node.links {
                guard let name = link.name, DirectoryEntry.isValidName(name) else {
                    throw .unsafeEntryName(cid, name: link.name ?? "")
                }
                guard seen.insert(Array(name.utf8)).inserted else { throw .duplicateEntryName(cid, name: name) }
                entries.append(DirectoryEntry(name: name, cid: link.hash, tsize: link.tsize ?? 0))
            }
            self = .directory(entries)
        case .symlink:
            guard let target = String(validating: unixfs.data ?? [], as: UTF8.self) else {
                throw .invalidSymlinkTarget(cid)
            }
            self = .symlink(target: target)
        case .hamtShard:
            self = .hamtShard
        case .metadata:
            throw .notAFile(cid, .metadata)
        }
    }
}
