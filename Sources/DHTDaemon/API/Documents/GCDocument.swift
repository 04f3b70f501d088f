import Blocks

/// `POST /v1/gc`: what a garbage collection removed and kept.
public struct GCDocument: Codable, Hashable, Sendable {
    /// Block files deleted.
    public var removedBlocks: Int
    /// Their bytes.
    public var removedBytes: UInt64
    /// Temporary files left by interrupted writes, deleted.
    public var removedTemporaryFiles: Int
    /// Blocks kept (pinned, or held by an import in progress).
    public var keptBlocks: Int

    /// The document of `report`.
    public init(_ report: GCReport) {
        self.removedBlocks = report.removedBlockCount
        self.removedBytes = report.removedByteCount
        self.removedTemporaryFiles = report.removedTemporaryFileCount
        self.keptBlocks = report.keptBlockCount
    }
}
