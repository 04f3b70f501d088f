import DHTCrypto

/// A self-describing hash: `varint(function code) || varint(digest length) || digest` (multiformats/multihash).
///
/// swift-dht supports sha2-256 only, so a multihash is always a SHA-256 digest; other functions are rejected with
/// ``MultihashError/unsupportedHashFunction(_:)`` when decoded.
public struct Multihash: Hashable, Sendable, CustomStringConvertible {
    /// The hash function; always ``Multicodec/sha2_256``.
    public var function: Multicodec { .sha2_256 }

    /// The SHA-256 digest.
    public let digest: SHA256Digest

    /// Wraps a SHA-256 digest.
    public init(sha256 digest: SHA256Digest) {
        self.digest = digest
    }

    /// Hashes `bytes` with SHA-256.
    public init(hashing bytes: some ContiguousBytes) {
        self.digest = SHA256.hash(bytes)
    }

    /// The encoded length: 2 header bytes and 32 digest bytes.
    public static let encodedCount = 2 + SHA256Digest.byteCount

    /// The binary form: `0x12 0x20` followed by the 32 digest bytes.
    public var bytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(Self.encodedCount)
        append(to: &output)
        return output
    }

    /// Appends the binary form to `output`.
    public func append(to output: inout [UInt8]) {
        output.append(UInt8(Multicodec.sha2_256.rawValue))
        output.append(UInt8(SHA256Digest.byteCount))
        output.append(contentsOf: digest.bytes)
    }

    /// Whether `bytes` hash to this multihash.
    public func matches(_ bytes: some ContiguousBytes) -> Bool {
        SHA256.hash(bytes) == digest
    }

    /// Decodes a multihash that must fill `bytes` exactly.
    ///
    /// - Throws: ``MultihashError`` for a truncated or over-long varint, an unsupported function, a digest length
    ///   other than 32, a digest shorter than its stated length, or bytes after the digest.
    public init(decoding bytes: [UInt8]) throws(MultihashError) {
        var position = 0
        self = try Self.decode(bytes, at: &position)
        guard position == bytes.count else { throw .trailingBytes(count: bytes.count - position) }
    }

    /// Decodes a multihash starting at `position`, reading nothing at or past `limit` (the end of `bytes` when
    /// `nil`), and advances `position` past it.
    static func decode(_ bytes: [UInt8], at position: inout Int, limit: Int? = nil) throws(MultihashError)
        -> Multihash
    {
        let limit = min(limit ?? bytes.count, bytes.count)
        let code: UInt64
        let length: UInt64
        do {
            code = try Varint.decode(bytes, at: &position, limit: limit)
        } catch {
            throw .varint(error)
        }
        guard code == Multicodec.sha2_256.rawValue else { throw .unsupportedHashFunction(code) }
        do {
            length = try Varint.decode(bytes, at: &position, limit: limit)
        } catch {
            throw .varint(error)
        }
        guard length == UInt64(SHA256Digest.byteCount) else {
            throw .digestLength(expected: SHA256Digest.byteCount, actual: length)
        }
        let available = limit - position
        guard available >= SHA256Digest.byteCount else {
            throw .truncatedDigest(expected: SHA256Digest.byteCount, available: available)
        }
        let end = position + SHA256Digest.byteCount
        guard let digest = SHA256Digest(bytes: Array(bytes[position..<end])) else {
            throw .truncatedDigest(expected: SHA256Digest.byteCount, available: available)
        }
        position = end
        return Multihash(sha256: digest)
    }

    /// `sha2-256:` and the digest in hex.
    public var description: String { "sha2-256:\(digest)" }
}

/// Why a multihash could not be decoded.
public enum MultihashError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The function code or length varint is malformed.
    case varint(VarintError)
    /// The function code is not sha2-256 (0x12).
    case unsupportedHashFunction(UInt64)
    /// The stated digest length is not the function's digest length.
    case digestLength(expected: Int, actual: UInt64)
    /// The input ends before the digest does.
    case truncatedDigest(expected: Int, available: Int)
    /// Bytes follow the digest where the multihash should end.
    case trailingBytes(count: Int)

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .varint(let error): "multihash: \(error)"
        case .unsupportedHashFunction(let code):
            "unsupported hash function 0x\(String(code, radix: 16))"
                + (Multicodec.name(of: code).map { " (\($0))" } ?? "") + ": only sha2-256 is supported"
        case .digestLength(let expected, let actual):
            "sha2-256 digest length is \(actual), expected \(expected)"
        case .truncatedDigest(let expected, let available):
            "digest truncated: \(available) of \(expected) bytes"
        case .trailingBytes(let count): "\(count) bytes after the multihash"
        }
    }
}
