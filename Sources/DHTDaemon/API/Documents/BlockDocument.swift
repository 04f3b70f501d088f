/// `POST /v1/blocks` and `DELETE /v1/blocks/{cid}`: the block stored or removed.
public struct BlockDocument: Codable, Hashable, Sendable {
    /// The block's CID (CIDv1, base32).
    public var cid: String
    /// Its size in bytes (`POST`), or whether it was stored (`DELETE`: `removed`).
    public var size: Int?
    /// `DELETE`: whether the block was stored.
    public var removed: Bool?

    /// Creates a document.
    public init(cid: String, size: Int? = nil, removed: Bool? = nil) {
        self.cid = cid
        self.size = size
        self.removed = removed
    }
}

/// `GET /v1/repo/verify`: every block file rehashed.
public struct VerifyDocument: Codable, Hashable, Sendable {
    /// Block files read and hashed.
    public var checkedBlocks: Int
    /// The files that failed, each with its problem.
    public var corruptFiles: [String]

    /// Creates a document.
    public init(checkedBlocks: Int, corruptFiles: [String]) {
        self.checkedBlocks = checkedBlocks
        self.corruptFiles = corruptFiles
    }
}
