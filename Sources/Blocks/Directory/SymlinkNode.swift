/// The UnixFS node of a symbolic link, as kubo writes it (boxo `unixfs.SymlinkData`, `ipfs add` of a tree with
/// symlinks): a dag-pb node without links whose `Data` is ``UnixFSData`` `{Type: Symlink, Data: target}`. The
/// target is stored as it is, never followed.
public enum SymlinkNode {
    /// The longest target accepted: PATH_MAX on Linux.
    public static let maxTargetByteCount = 4096

    /// The block for a link to `target` (at most ``maxTargetByteCount`` bytes); its Tsize is its size (it has no
    /// links).
    public static func block(target: String) -> Block {
        precondition(target.utf8.count <= maxTargetByteCount, "SymlinkNode: target longer than PATH_MAX")
        let data = UnixFSData(type: .symlink, data: Array(target.utf8)).encoded()
        let bytes = PBNode(data: data).encoded()
        return Block(uncheckedCID: CID.dagPB(Multihash(hashing: bytes)), bytes: bytes)
    }
}
