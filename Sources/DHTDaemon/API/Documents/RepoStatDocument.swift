import Blocks

/// `GET /v1/repo/stat`: the repository's size, as `dhtnode repo stat` prints it.
public struct RepoStatDocument: Codable, Hashable, Sendable {
    /// The repository folder.
    public var path: String
    /// The layout version.
    public var version: Int
    /// Block files.
    public var blocks: Int
    /// Their bytes.
    public var bytes: UInt64
    /// Pinned roots.
    public var pins: Int
    /// Temporary files (writes in progress, or crash leftovers that `gc` removes).
    public var temporaryFiles: Int
    /// Blocks kept as ranges of files outside the repository (written by `dhtnode get -o`), not in ``blocks``.
    public var referencedBlocks: Int = 0
    /// Their bytes, in those files.
    public var referencedBytes: UInt64 = 0

    /// Creates a document.
    public init(path: String, version: Int, blocks: Int, bytes: UInt64, pins: Int, temporaryFiles: Int) {
        self.path = path
        self.version = version
        self.blocks = blocks
        self.bytes = bytes
        self.pins = pins
        self.temporaryFiles = temporaryFiles
    }

    /// The document of `stat` for the repository at `path` with `pins` pins.
    public init(path: String, _ stat: RepoStat, pins: Int) {
        self.init(
            path: path,
            version: FileBlockStore.layoutVersion,
            blocks: stat.blockCount,
            bytes: stat.byteCount,
            pins: pins,
            temporaryFiles: stat.temporaryFileCount
        )
        referencedBlocks = stat.referencedBlockCount
        referencedBytes = stat.referencedByteCount
    }
}
