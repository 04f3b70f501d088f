/// Why a CAR file was rejected or could not be written. Offsets are byte positions in the CAR stream: the start
/// of the section (or header) at fault, or of the field inside the header.
public enum CARError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The header is not a CARv1 header: `problem` says what is wrong at `offset`.
    case badHeader(offset: UInt64, CARHeaderProblem)
    /// A varint length prefix is not a valid multiformats varint (too long or not minimal).
    case badLengthPrefix(offset: UInt64)
    /// The stream ends inside the header or section starting at `offset`: `needed` bytes, `available` present.
    case truncated(offset: UInt64, needed: UInt64, available: UInt64)
    /// A section's length is zero, so it holds no CID.
    case emptySection(offset: UInt64)
    /// A section is longer than a CID plus the largest block allowed (``Block/maxByteCount``); not read.
    case sectionTooLarge(offset: UInt64, length: UInt64)
    /// The CID at the start of the section at `offset` does not decode or is not one swift-dht supports.
    case invalidCID(offset: UInt64, CIDError)
    /// The block in the section at `offset` does not hash to its CID.
    case hashMismatch(offset: UInt64, cid: CID)
    /// Reading or writing the CAR file failed.
    case file(BlockStoreError)
    /// The block store failed while reading blocks to export or storing imported ones.
    case store(BlockStoreError)
    /// Export: a block of the DAG is not in the store.
    case missingBlock(CID)
    /// Export: a dag-pb block of the DAG does not decode, so its links cannot be followed.
    case invalidDagPB(CID, DagPBError)

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .badHeader(let offset, let problem): "CAR header at byte \(offset): \(problem)"
        case .badLengthPrefix(let offset): "CAR length prefix at byte \(offset) is not a valid varint"
        case .truncated(let offset, let needed, let available):
            "CAR truncated: the section at byte \(offset) needs \(needed) bytes, \(available) remain"
        case .emptySection(let offset): "CAR section at byte \(offset) is empty"
        case .sectionTooLarge(let offset, let length):
            "CAR section at byte \(offset) is \(length) bytes, over the \(Block.maxByteCount)-byte block limit"
        case .invalidCID(let offset, let error): "CAR section at byte \(offset): \(error)"
        case .hashMismatch(let offset, let cid):
            "CAR section at byte \(offset): block does not match its CID \(cid)"
        case .file(let error): "CAR file: \(error)"
        case .store(let error): error.description
        case .missingBlock(let cid): "block \(cid) is not in the store"
        case .invalidDagPB(let cid, let error): "block \(cid): \(error)"
        }
    }
}

/// What is wrong with a CAR header.
public enum CARHeaderProblem: Equatable, Sendable, CustomStringConvertible {
    /// The stream is empty: there is no header at all.
    case missing
    /// The header's length prefix is zero.
    case empty
    /// The header is longer than ``CARHeader/maxByteCount``.
    case tooLarge(UInt64)
    /// The CBOR ends before the item that starts here.
    case truncated
    /// A CBOR item of the wrong type: `expected` names what the schema wants.
    case unexpectedType(expected: String, major: UInt8)
    /// An integer or length not in its shortest form (dag-cbor requires it), or a reserved encoding.
    case nonCanonicalInteger
    /// An indefinite-length item, which dag-cbor forbids.
    case indefiniteLength
    /// A map key is not valid UTF-8.
    case invalidKey
    /// A map key other than `roots` and `version`.
    case unknownKey(String)
    /// A map key appears twice.
    case duplicateKey(String)
    /// No `version`.
    case missingVersion
    /// `version` is not 1 (2 is a CARv2 pragma).
    case unsupportedVersion(UInt64)
    /// No `roots`.
    case missingRoots
    /// `roots` is empty; the CARv1 spec requires one or more.
    case noRoots
    /// A root is not a CID (tag 42 around a byte string).
    case rootNotCID
    /// A root's bytes do not start with the multibase identity prefix 0x00.
    case missingIdentityPrefix
    /// A root is not a CID swift-dht supports.
    case invalidRoot(CIDError)
    /// Bytes follow the header map inside the header block.
    case trailingBytes(Int)

    /// A short explanation.
    public var description: String {
        switch self {
        case .missing: "the file is empty"
        case .empty: "the header length is zero"
        case .tooLarge(let count): "the header is \(count) bytes, over \(CARHeader.maxByteCount)"
        case .truncated: "the header ends inside a CBOR item"
        case .unexpectedType(let expected, let major): "expected \(expected), found CBOR major type \(major)"
        case .nonCanonicalInteger: "an integer is not in its shortest form"
        case .indefiniteLength: "indefinite-length items are not dag-cbor"
        case .invalidKey: "a map key is not UTF-8"
        case .unknownKey(let key): "unknown key \(UntrustedText.quoted(key, limit: UntrustedText.logLimit))"
        case .duplicateKey(let key): "duplicate key \(UntrustedText.quoted(key, limit: UntrustedText.logLimit))"
        case .missingVersion: "no version"
        case .unsupportedVersion(let version):
            version == 2 ? "version 2 (CARv2) is not supported" : "unsupported version \(version)"
        case .missingRoots: "no roots"
        case .noRoots: "roots is empty"
        case .rootNotCID: "a root is not a CID (tag 42)"
        case .missingIdentityPrefix: "a root CID lacks the 0x00 prefix"
        case .invalidRoot(let error): "root: \(error)"
        case .trailingBytes(let count): "\(count) bytes after the header map"
        }
    }
}
