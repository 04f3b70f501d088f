import Blocks

/// Why text or bytes are not an IPNS name that swift-dht supports.
public enum IPNSNameError: Error, Equatable, Sendable, CustomStringConvertible, ProtobufDecodingError {
    /// There is no text or no bytes.
    case empty
    /// The text is longer than any supported name.
    case textTooLong(Int)
    /// The text's encoding could not be decoded.
    case multibase(MultibaseError)
    /// The first character names an encoding not read here (only `k`/`K` base36, `b`/`B` base32, `z` and bare
    /// base58btc).
    case unsupportedEncoding(String)
    /// A varint (version, codec, hash function, length) is malformed.
    case varint(VarintError)
    /// The CID's version is not 1.
    case unsupportedVersion(UInt64)
    /// The CID's codec is not `libp2p-key` (0x72).
    case wrongCodec(UInt64)
    /// The multihash is not `identity`: the name is a hash of a key (RSA and other large keys), which is not
    /// supported; Ed25519 names hold their key.
    case keyNotInlined(hashFunction: UInt64)
    /// The multihash's stated length differs from the bytes that follow it.
    case digestLength(stated: UInt64, actual: Int)
    /// The key is of a type other than Ed25519 (libp2p `KeyType`).
    case unsupportedKeyType(UInt64)
    /// The key's protobuf is malformed.
    case malformedPublicKey(String)
    /// A routing key does not start with `/ipns/`.
    case notARoutingKey

    package static func wireFormat(_ failure: ProtobufFailure) -> IPNSNameError {
        switch failure {
        case .varint(let error): .malformedPublicKey(error.description)
        case .truncated(let offset, _, _): .malformedPublicKey("field at offset \(offset) is truncated")
        }
    }

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .empty: "IPNS name is empty"
        case .textTooLong(let count): "IPNS name is \(count) bytes long, longer than any supported name"
        case .multibase(let error): "IPNS name: \(error)"
        case .unsupportedEncoding(let what):
            "IPNS name in \(what): only base36 (k…), base32 (b…) and base58btc peer IDs (12D3KooW…) are read"
        case .varint(let error): "IPNS name: \(error)"
        case .unsupportedVersion(let version): "IPNS name is a CID of version \(version), not 1"
        case .wrongCodec(let code):
            "IPNS name is a CID of codec 0x\(String(code, radix: 16))"
                + (Multicodec.name(of: code).map { " (\($0))" } ?? "") + ", not libp2p-key (0x72)"
        case .keyNotInlined(let function):
            "IPNS name hashes its key with 0x\(String(function, radix: 16))"
                + (Multicodec.name(of: function).map { " (\($0))" } ?? "")
                + " (an RSA or ECDSA name): only Ed25519 names, which hold their key, are supported"
        case .digestLength(let stated, let actual):
            "IPNS name's multihash says \(stated) bytes but \(actual) follow"
        case .unsupportedKeyType(let type):
            "IPNS key of type \(Libp2pPublicKey.keyTypeName(type) ?? String(type)): only Ed25519 is supported"
        case .malformedPublicKey(let detail): "IPNS public key is malformed: \(detail)"
        case .notARoutingKey: "routing key does not start with /ipns/"
        }
    }
}
