import Blocks
import DHTCrypto

/// libp2p's `PublicKey` protobuf, which IPNS uses for keys (ipfs/specs `ipns/ipns-record`, "Key Serialization
/// Format"): field 1 `Type` (varint `KeyType`), field 2 `Data` (bytes).
///
/// Only Ed25519 (`KeyType` 1, `Data` the 32-byte key) is supported. For it the encoding is always the same 36
/// bytes, `08 01 12 20` and the key, and decoding accepts only that form: libp2p requires keys to be encoded
/// deterministically, since a name is the key's bytes.
public enum Libp2pPublicKey {
    /// `KeyType` values of the libp2p spec, for error messages.
    public static func keyTypeName(_ type: UInt64) -> String? {
        switch type {
        case 0: "RSA"
        case 1: "Ed25519"
        case 2: "Secp256k1"
        case 3: "ECDSA"
        default: nil
        }
    }

    /// `KeyType` of Ed25519.
    public static let ed25519KeyType: UInt64 = 1

    /// The encoded length of an Ed25519 key: two field keys, one type byte, one length byte, 32 key bytes.
    public static let ed25519ByteCount = 36

    /// The protobuf bytes of `key`.
    public static func encode(_ key: Ed25519PublicKey) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(ed25519ByteCount)
        ProtobufWire.appendVarintField(1, ed25519KeyType, to: &output)
        ProtobufWire.appendBytesField(2, key.bytes, to: &output)
        return output
    }

    /// Decodes a `PublicKey` message holding an Ed25519 key.
    ///
    /// - Throws: ``IPNSNameError/unsupportedKeyType(_:)`` for another key type, or
    ///   ``IPNSNameError/malformedPublicKey(_:)`` for bytes that are not the one encoding of an Ed25519 key.
    public static func decode(_ bytes: [UInt8]) throws(IPNSNameError) -> Ed25519PublicKey {
        var reader = ProtobufReader<IPNSNameError>(bytes)
        var type: UInt64?
        var data: Range<Int>?
        while !reader.isAtEnd {
            let key = try reader.readKey()
            switch (key.field, key.wireType) {
            case (1, 0): type = try reader.readVarint()
            case (2, 2): data = try reader.readLengthDelimited()
            default:
                throw .malformedPublicKey("unexpected field \(key.field) of wire type \(key.wireType)")
            }
        }
        guard let type else { throw .malformedPublicKey("no key type") }
        guard type == ed25519KeyType else { throw .unsupportedKeyType(type) }
        guard let data else { throw .malformedPublicKey("no key data") }
        let key: Ed25519PublicKey
        do {
            key = try Ed25519PublicKey(bytes: Array(bytes[data]))
        } catch {
            throw .malformedPublicKey(error.description)
        }
        guard encode(key) == bytes else { throw .malformedPublicKey("not in the deterministic encoding") }
        return key
    }
}
