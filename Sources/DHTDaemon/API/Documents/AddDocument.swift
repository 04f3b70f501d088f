import Blocks

/// `POST /v1/add`: the file imported, the same fields as `dhtnode add --json` prints.
public struct AddDocument: Codable, Hashable, Sendable {
    /// The root CID (CIDv1, base32).
    public var cid: String
    /// The file's size in bytes.
    public var size: UInt64
    /// Blocks made (leaves and nodes; a block already stored counts too).
    public var blocks: UInt64
    /// The import profile's name (with ` chunk=N` for a chunk size other than the profile's).
    public var profile: String
    /// Whether the root is now pinned.
    public var pinned: Bool
    /// Whether the root was announced in the DHT; `nil` for an import into a repository without a daemon.
    public var announcement: Announcement?

    /// Creates a document.
    public init(
        cid: String, size: UInt64, blocks: UInt64, profile: String, pinned: Bool, announcement: Announcement? = nil
    ) {
        self.cid = cid
        self.size = size
        self.blocks = blocks
        self.profile = profile
        self.pinned = pinned
        self.announcement = announcement
    }

    /// The document of an import of `result` with `profile`.
    public init(_ result: ImportResult, profile: ImportProfile, pinned: Bool, announcement: Announcement? = nil) {
        self.init(
            cid: result.root.description,
            size: result.fileSize,
            blocks: result.blockCount,
            profile: profile.name,
            pinned: pinned,
            announcement: announcement
        )
    }
}
