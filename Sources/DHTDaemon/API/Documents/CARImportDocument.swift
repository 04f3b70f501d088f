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

    /// Creates a document.
    public init(roots: [String], blocks: Int, bytes: UInt64, pinned: [String]) {
        self.roots = roots
        self.blocks = blocks
        self.bytes = bytes
        self.pinned = pinned
    }

    /// The document of `result`.
    public init(_ result: BlockRepository.CARImportResult) {
        self.init(
            roots: result.roots.map(\.description),
            blocks: result.blockCount,
            bytes: result.byteCount,
            pinned: result.pinned.map(\.description)
        )
    }
}
