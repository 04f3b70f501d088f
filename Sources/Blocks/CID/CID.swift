import DHTCrypto

/// A content identifier: names a block by the hash of its bytes and the codec to read them with
/// (multiformats/cid).
///
/// - CIDv1 binary: `varint(1) || varint(codec) || multihash`; text: multibase, which swift-dht writes as base32
///   (`b…`), the spec's default for CIDv1.
/// - CIDv0 binary: the 34-byte sha2-256 multihash alone, codec implicitly dag-pb; text: bare base58btc (`Qm…`).
///
/// swift-dht supports the raw (0x55) and dag-pb (0x70) codecs and sha2-256 multihashes. Parsing never traps:
/// every malformed input is a ``CIDError`` that says what is wrong.
public struct CID: Hashable, Sendable, CustomStringConvertible {
    /// A CID version.
    public enum Version: UInt64, Sendable {
        /// CIDv0: a bare sha2-256 multihash of a dag-pb block.
        case v0 = 0
        /// CIDv1: version, codec and multihash.
        case v1 = 1
    }

    /// The version.
    public let version: Version
    /// The codec of the block's bytes: ``Multicodec/raw`` or ``Multicodec/dagPB``.
    public let codec: Multicodec
    /// The hash of the block's bytes.
    public let multihash: Multihash

    private init(unchecked version: Version, codec: Multicodec, multihash: Multihash) {
        self.version = version
        self.codec = codec
        self.multihash = multihash
    }

    /// A CIDv1 for a raw block with this multihash.
    public static func raw(_ multihash: Multihash) -> CID {
        CID(unchecked: .v1, codec: .raw, multihash: multihash)
    }

    /// A CIDv1 for a dag-pb block with this multihash.
    public static func dagPB(_ multihash: Multihash) -> CID {
        CID(unchecked: .v1, codec: .dagPB, multihash: multihash)
    }

    /// A CIDv0 (implicitly dag-pb) with this multihash.
    public static func v0(_ multihash: Multihash) -> CID {
        CID(unchecked: .v0, codec: .dagPB, multihash: multihash)
    }

    /// A CID of any supported version and codec.
    ///
    /// - Throws: ``CIDError/unsupportedCodec(_:)`` for a code that is not a content codec, and
    ///   ``CIDError/invalidV0Codec(_:)`` for a CIDv0 of a codec other than dag-pb (CID spec: v0 is always dag-pb).
    public init(version: Version, codec: Multicodec, multihash: Multihash) throws(CIDError) {
        guard codec.isContentCodec else { throw .unsupportedCodec(codec.rawValue) }
        if version == .v0 && codec != .dagPB { throw .invalidV0Codec(codec.rawValue) }
        self.init(unchecked: version, codec: codec, multihash: multihash)
    }

    /// The CIDv1 of a block of `codec` whose bytes are `bytes` (hashed here with SHA-256).
    public init(codec: Multicodec, hashing bytes: some ContiguousBytes) throws(CIDError) {
        try self.init(version: .v1, codec: codec, multihash: Multihash(hashing: bytes))
    }

    /// This CID as CIDv1 (the same block; a CIDv1 is returned unchanged).
    public var v1: CID { CID(unchecked: .v1, codec: codec, multihash: multihash) }

    // MARK: Binary form

    /// The binary form: CIDv1 `0x01 || codec || multihash`, or the bare multihash for CIDv0.
    public var bytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(byteCount)
        append(to: &output)
        return output
    }

    /// The length of the binary form: 36 bytes for CIDv1 with the supported codecs, 34 for CIDv0.
    public var byteCount: Int {
        let header = version == .v1 ? 1 + Varint.encodedCount(codec.rawValue) : 0
        return header + Multihash.encodedCount
    }

    /// Appends the binary form to `output`.
    public func append(to output: inout [UInt8]) {
        if version == .v1 {
            Varint.encode(Version.v1.rawValue, into: &output)
            Varint.encode(codec.rawValue, into: &output)
        }
        multihash.append(to: &output)
    }

    /// Decodes a binary CID that fills `bytes` exactly.
    ///
    /// CID spec, "Decoding algorithm": 34 bytes starting `0x12 0x20` are a CIDv0; otherwise the first varint is
    /// the version, which must be 1.
    ///
    /// - Throws: ``CIDError`` naming the first problem (empty input, varint, version, codec, multihash, trailing
    ///   bytes).
    public init(decoding bytes: [UInt8]) throws(CIDError) {
        var position = 0
        self = try Self.decode(bytes, at: &position, limit: bytes.count)
        guard position == bytes.count else { throw .trailingBytes(count: bytes.count - position) }
    }

    /// Decodes a binary CID starting at `position`, reading no further than `limit`; advances `position`.
    static func decode(_ bytes: [UInt8], at position: inout Int, limit: Int) throws(CIDError) -> CID {
        guard position < limit else { throw .empty }
        if bytes[position] == 0x12 && limit - position >= 2 && bytes[position + 1] == 0x20 {
            // CIDv0: a sha2-256 multihash on its own.
            let multihash = try decodeMultihash(bytes, at: &position, limit: limit)
            return .v0(multihash)
        }
        let version: UInt64
        do {
            version = try Varint.decode(bytes, at: &position, limit: limit)
        } catch {
            throw .varint(error)
        }
        guard version == Version.v1.rawValue else { throw .unsupportedVersion(version) }
        let code: UInt64
        do {
            code = try Varint.decode(bytes, at: &position, limit: limit)
        } catch {
            throw .varint(error)
        }
        guard let codec = Multicodec(rawValue: code), codec.isContentCodec else { throw .unsupportedCodec(code) }
        let multihash = try decodeMultihash(bytes, at: &position, limit: limit)
        return CID(unchecked: .v1, codec: codec, multihash: multihash)
    }

    private static func decodeMultihash(_ bytes: [UInt8], at position: inout Int, limit: Int) throws(CIDError)
        -> Multihash
    {
        do { return try Multihash.decode(bytes, at: &position, limit: limit) } catch { throw .multihash(error) }
    }

    // MARK: Text form

    /// The longest text accepted by ``init(parsing:)``; real CIDs of the supported kinds are under 64 characters.
    public static let maxTextLength = 256

    /// Parses a CID's text form: `Qm…` (CIDv0, base58btc without a multibase prefix) or multibase text of a CIDv1
    /// (`b…` base32 or `z…` base58btc).
    ///
    /// - Throws: ``CIDError`` saying what is wrong: empty text, text too long, an unsupported multibase prefix, a
    ///   bad character and its offset, an unsupported version, codec or hash, a wrong digest length, trailing
    ///   bytes, a truncated varint.
    public init(parsing text: some StringProtocol) throws(CIDError) {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { throw .empty }
        guard utf8.count <= Self.maxTextLength else { throw .textTooLong(utf8.count) }
        let bytes: [UInt8]
        if utf8.count == 46 && utf8[0] == UInt8(ascii: "Q") && utf8[1] == UInt8(ascii: "m") {
            // CID spec: a 46-character string starting "Qm" is a CIDv0.
            do { bytes = try Base58BTC.decode(utf8: utf8, offsetBase: 0) } catch { throw .multibase(error) }
            // CIDv0 is a bare sha2-256 multihash, so its errors are multihash errors.
            do { self = .v0(try Multihash(decoding: bytes)) } catch { throw .multihash(error) }
            return
        }
        do { bytes = try Multibase.decode(text).bytes } catch { throw .multibase(error) }
        // CID spec, decoding algorithm: "If the first decoded byte is 0x12, return an error. CIDv0 CIDs may not be
        // multibase encoded".
        guard bytes.first != 0x12 else { throw .multibaseEncodedV0 }
        self = try CID(decoding: bytes)
    }

    /// The canonical text form: base32 (`b…`) for CIDv1, base58btc (`Qm…`) for CIDv0.
    public var description: String {
        switch version {
        case .v1: Multibase.base32.encode(bytes)
        case .v0: Base58BTC.encode(bytes)
        }
    }
}
