/// What ``FileBlockStore/gc()`` did.
public struct GCReport: Hashable, Sendable {
    /// Blocks deleted.
    public var removedBlockCount = 0
    /// Their bytes.
    public var removedByteCount: UInt64 = 0
    /// Temporary files left by interrupted writes, deleted.
    public var removedTemporaryFileCount = 0
    /// Blocks kept: reachable from a pin or held by a live ``WriteSession``.
    public var keptBlockCount = 0
}
