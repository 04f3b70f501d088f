/// One entry of a UnixFS directory: a name and the DAG it links to.
public struct DirectoryEntry: Hashable, Sendable {
    /// The entry's name (one path component).
    public var name: String
    /// The root CID of the entry's DAG.
    public var cid: CID
    /// The cumulative size of the entry's DAG (the link's Tsize): the root block's size plus the Tsize of each of
    /// its links; for a raw leaf, its size.
    public var tsize: UInt64

    /// Creates an entry.
    public init(name: String, cid: CID, tsize: UInt64) {
        self.name = name
        self.cid = cid
        self.tsize = tsize
    }

    /// Whether `name` can be an entry: not empty, not `.` or `..`, no `/` and no NUL. Names that fail could step
    /// out of the folder a directory is written to, so readers refuse them too.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".."
            && !name.utf8.contains(UInt8(ascii: "/")) && !name.utf8.contains(0)
    }

    /// kubo's order for directory links: by the name's bytes (go-merkledag sorts links by name, as Go compares
    /// strings, byte by byte). Not Swift's `String` order, which compares Unicode canonical equivalents as equal.
    public static func nameBytesPrecede(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
