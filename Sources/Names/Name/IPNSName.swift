import Blocks
import DHTCrypto

/// An IPNS name: the Ed25519 public key whose holder signs the name's records (ipfs/specs `ipns/ipns-record`,
/// "IPNS Name").
///
/// Binary forms, outermost first:
/// - the CID: `0x01` (CIDv1), `0x72` (`libp2p-key`), then the multihash (40 bytes);
/// - the multihash, which is also the libp2p peer ID: `0x00` (`identity`), `0x24` (36 bytes), then the key's
///   protobuf (``Libp2pPublicKey``): `08 01 12 20` and the 32 key bytes. The key is inlined, not hashed, so a
///   name alone is enough to check a record's signature.
///
/// Text: the CID in base36 (`k51…`), as kubo prints names; base32 (`b…`) and the bare base58btc peer ID
/// (`12D3KooW…`) are read too. Only Ed25519 names exist here: RSA names (a SHA-256 of the key) are refused when
/// parsed.
public struct IPNSName: Hashable, Sendable, CustomStringConvertible {
    /// The key that signs this name's records.
    public let publicKey: Ed25519PublicKey

    /// The multicodec of a CID that names a key.
    public static let libp2pKeyCodec: UInt64 = 0x72
    /// The multihash function that holds its input as it is.
    public static let identityHashFunction: UInt64 = 0x00
    /// The longest text ``init(parsing:)`` reads: names are 62 characters in base36, 65 in base32.
    public static let maxTextLength = 128
    /// What every routing key starts with (`/ipns/`).
    public static let routingKeyPrefix: [UInt8] = Array("/ipns/".utf8)

    /// The name of `publicKey`.
    public init(publicKey: Ed25519PublicKey) {
        self.publicKey = publicKey
    }

    // MARK: Binary forms

    /// The identity multihash of the key's protobuf: the libp2p peer ID's bytes (38 bytes).
    public var multihash: [UInt8] {
        var output: [UInt8] = [UInt8(Self.identityHashFunction), UInt8(Libp2pPublicKey.ed25519ByteCount)]
        output += Libp2pPublicKey.encode(publicKey)
        return output
    }

    /// The CID: `0x01 0x72` and the multihash (40 bytes).
    public var cidBytes: [UInt8] {
        [0x01, UInt8(Self.libp2pKeyCodec)] + multihash
    }

    /// The key under which the DHT stores this name's records: `/ipns/` and the multihash bytes (ipfs/specs
    /// `ipns/ipns-record`, "Routing Record"; the peer ID's bytes, as go-libp2p writes it).
    public var routingKey: [UInt8] {
        Self.routingKeyPrefix + multihash
    }

    /// Reads a name from its multihash (peer ID) bytes.
    ///
    /// - Throws: ``IPNSNameError`` for a multihash that is not `identity` over an Ed25519 key's protobuf.
    public init(multihash bytes: [UInt8]) throws(IPNSNameError) {
        let (function, length, position) = try Self.twoVarints(bytes)
        guard function == Self.identityHashFunction else { throw .keyNotInlined(hashFunction: function) }
        guard length == UInt64(bytes.count - position) else {
            throw .digestLength(stated: length, actual: bytes.count - position)
        }
        self.init(publicKey: try Libp2pPublicKey.decode(Array(bytes[position...])))
    }

    /// Reads a name from its binary CID.
    ///
    /// - Throws: ``IPNSNameError`` for a version other than 1, a codec other than `libp2p-key`, or a bad
    ///   multihash.
    public init(cidBytes bytes: [UInt8]) throws(IPNSNameError) {
        let (version, codec, position) = try Self.twoVarints(bytes)
        guard version == 1 else { throw .unsupportedVersion(version) }
        guard codec == Self.libp2pKeyCodec else { throw .wrongCodec(codec) }
        try self.init(multihash: Array(bytes[position...]))
    }

    /// The two varints a multihash (function, length) or a CID (version, codec) starts with, and where the rest
    /// begins.
    private static func twoVarints(_ bytes: [UInt8]) throws(IPNSNameError) -> (UInt64, UInt64, rest: Int) {
        guard !bytes.isEmpty else { throw .empty }
        var position = 0
        do {
            let first = try Varint.decode(bytes, at: &position, limit: bytes.count)
            let second = try Varint.decode(bytes, at: &position, limit: bytes.count)
            return (first, second, position)
        } catch {
            throw .varint(error)
        }
    }

    /// Reads a name from a DHT routing key (`/ipns/` and the multihash bytes).
    public init(routingKey bytes: [UInt8]) throws(IPNSNameError) {
        guard bytes.starts(with: Self.routingKeyPrefix) else { throw .notARoutingKey }
        try self.init(multihash: Array(bytes.dropFirst(Self.routingKeyPrefix.count)))
    }

    // MARK: Text forms

    /// The CID in base36 with its multibase prefix `k`: how kubo prints names (`k51qzi5uqu5…`).
    public var base36: String { "k" + Base36.encode(cidBytes) }

    /// The CID in base32 with its multibase prefix `b` (`bafzaa…`).
    public var base32: String { Multibase.base32.encode(cidBytes) }

    /// The libp2p peer ID: the multihash in bare base58btc (`12D3KooW…`).
    public var peerID: String { Base58BTC.encode(multihash) }

    /// ``base36``.
    public var description: String { base36 }

    /// Reads a name from text: a CID in base36 (`k…`, or `K…` in capitals), base32 (`b…` or `B…`) or base58btc
    /// (`z…`), or a bare base58btc peer ID (`12D3KooW…`); a leading `/ipns/` is allowed.
    ///
    /// - Throws: ``IPNSNameError`` saying what is wrong.
    public init(parsing text: some StringProtocol) throws(IPNSNameError) {
        var utf8 = Substring(text).utf8[...]
        if utf8.starts(with: Self.routingKeyPrefix) { utf8 = utf8.dropFirst(Self.routingKeyPrefix.count) }
        guard let first = utf8.first else { throw .empty }
        guard utf8.count <= Self.maxTextLength else { throw .textTooLong(utf8.count) }
        let body = String(decoding: utf8.dropFirst(), as: UTF8.self)
        if first == UInt8(ascii: "Q") { throw .keyNotInlined(hashFunction: 0x12) }  // Qm…: a SHA-256 peer ID
        let bytes: [UInt8]
        do throws(MultibaseError) {
            switch first {
            case UInt8(ascii: "k"), UInt8(ascii: "K"): bytes = try Base36.decode(body)
            case UInt8(ascii: "b"): bytes = try Base32.decode(body)
            case UInt8(ascii: "B"): bytes = try Base32.decode(body.lowercased())
            case UInt8(ascii: "z"): bytes = try Base58BTC.decode(body)
            // A bare base58btc identity multihash starts with "1" (its first byte is 0x00).
            case UInt8(ascii: "1"): bytes = try Base58BTC.decode(String(decoding: utf8, as: UTF8.self))
            default: throw MultibaseError.unsupportedPrefix(first, name: nil)
            }
        } catch {
            if case .unsupportedPrefix = error {
                throw .unsupportedEncoding("an encoding starting with \(Self.show(first))")
            }
            throw .multibase(error)
        }
        if first == UInt8(ascii: "1") {
            try self.init(multihash: bytes)
        } else {
            try self.init(cidBytes: bytes)
        }
    }

    private static func show(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7f { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }
}
