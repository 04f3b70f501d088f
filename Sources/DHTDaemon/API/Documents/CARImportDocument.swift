import Blocks

/// `POST /v1/car`: what a CAR import stored.
public struct CARImportDocument: Codable, Hashable, Sendable {
    /// The roots named in the CAR's header.
    public var roots: [String]
    /// Sections read (a block repeated in the CAR counts each time).
    public var blocks: Int
    /// Block bytes read.
    public var bytes: UInt64
    /// The roots now pinned (all of them with `pin=true`, none otherwise).
    public var pinned: [String]
    /// Whether the roots were announced in the DHT (the least of them: `queued` if any is).
    public var announcement: Announcement?

    /// Creates a document.
    public init(roots: [String], blocks: Int, bytes: UInt64, pinned: [String], announcement: Announcement? = nil) {
        self.roots = roots
        self.blocks = blocks
        self.bytes = bytes
        self.pinned = pinned
        self.announcement = announcement
    }

    /// The document of `result`.
    public init(_ result: BlockRepository.CARImportResult, announcement: Announcement? = nil) {
        self.init(
            roots: result.roots.map(\.description),
            blocks: result.blockCount,
            bytes: result.byteCount,
            pinned: result.pinned.map(\.description),
            announcement: announcement
        )
    }
}
