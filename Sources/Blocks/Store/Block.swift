/// A block: bytes and the CID they hash to.
///
/// A `Block` value always holds bytes whose SHA-256 equals its CID's multihash and at most ``maxByteCount`` bytes:
/// both initializers establish that (one by hashing, one by checking), and the properties are immutable. So a
/// block store can accept a `Block` without hashing it again, and a verified block can travel through the
/// program as proof of its own integrity (DESIGN: "every block is hashed before it is stored or passed on").
public struct Block: Hashable, Sendable {
    /// The largest block swift-dht accepts: 2 MiB (DESIGN, "Blocks up to 2 MiB"; also the common bitswap limit).
    public static let maxByteCount = 2 * 1024 * 1024

    /// The block's CID.
    public let cid: CID
    /// The block's bytes.
    public let bytes: [UInt8]

    /// A block of `codec` made by hashing `bytes` (CIDv1, sha2-256).
    ///
    /// - Throws: ``BlockError/tooLarge(cid:byteCount:)`` past ``maxByteCount``.
    public init(codec: Multicodec, hashing bytes: [UInt8]) throws(BlockError) {
        let cid: CID
        do {
            cid = try CID(version: .v1, codec: codec, multihash: Multihash(hashing: bytes))
        } catch {
            throw .unsupportedCodec(codec)
        }
        guard bytes.count <= Self.maxByteCount else { throw .tooLarge(cid: cid, byteCount: bytes.count) }
        self.cid = cid
        self.bytes = bytes
    }

    /// A block that the importer built and hashed itself; the caller guarantees the invariants.
    init(uncheckedCID cid: CID, bytes: [UInt8]) {
        self.cid = cid
        self.bytes = bytes
    }

    /// A block received from elsewhere (a peer, a CAR file, a disk): `bytes` are hashed and must match `cid`.
    ///
    /// - Throws: ``BlockError/hashMismatch(cid:actual:)`` when they do not, ``BlockError/tooLarge(cid:byteCount:)``
    ///   past ``maxByteCount`` (checked first, before hashing).
    public init(verifying bytes: [UInt8], as cid: CID) throws(BlockError) {
        guard bytes.count <= Self.maxByteCount else { throw .tooLarge(cid: cid, byteCount: bytes.count) }
        let actual = Multihash(hashing: bytes)
        guard actual == cid.multihash else { throw .hashMismatch(cid: cid, actual: actual) }
        self.cid = cid
        self.bytes = bytes
    }
}

/// Why bytes cannot be a block.
public enum BlockError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes do not hash to the CID's multihash; `actual` is what they hash to.
    case hashMismatch(cid: CID, actual: Multihash)
    /// The bytes are longer than ``Block/maxByteCount``.
    case tooLarge(cid: CID, byteCount: Int)
    /// The codec is not a content codec.
    case unsupportedCodec(Multicodec)

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .hashMismatch(let cid, let actual): "block \(cid) does not match its hash (bytes hash to \(actual))"
        case .tooLarge(let cid, let count): "block \(cid) is \(count) bytes, over the \(Block.maxByteCount) limit"
        case .unsupportedCodec(let codec): "\(codec) is not a block codec"
        }
    }
}
