/// Multibase: self-describing text encodings, where the first character names the base
/// (multiformats/multibase `multibase.csv`).
///
/// swift-dht writes `base32` (`b`) and reads `base32` and `base58btc` (`z`); other prefixes are recognised by name
/// only, so that an error can say which encoding was used.
public enum Multibase: Sendable, Equatable {
    /// RFC 4648 base32, lowercase, no padding; prefix `b`.
    case base32
    /// Bitcoin base58; prefix `z`.
    case base58btc

    /// The prefix character of this encoding.
    public var prefix: Character {
        switch self {
        case .base32: "b"
        case .base58btc: "z"
        }
    }

    /// Encodes `bytes` with the prefix character first.
    public func encode(_ bytes: [UInt8]) -> String {
        switch self {
        case .base32: "b" + Base32.encode(bytes)
        case .base58btc: "z" + Base58BTC.encode(bytes)
        }
    }

    /// Decodes multibase text: reads the prefix, then decodes the rest with that base.
    ///
    /// - Throws: ``MultibaseError/empty``, ``MultibaseError/unsupportedPrefix(_:name:)`` for a prefix other than
    ///   `b` or `z`, or the base's own error; offsets count the prefix.
    public static func decode(_ text: some StringProtocol) throws(MultibaseError) -> (base: Multibase, bytes: [UInt8]) {
        let utf8 = Array(text.utf8)
        guard let first = utf8.first else { throw .empty }
        let rest = Array(utf8.dropFirst())
        switch first {
        case UInt8(ascii: "b"): return (.base32, try Base32.decode(utf8: rest, offsetBase: 1))
        case UInt8(ascii: "z"): return (.base58btc, try Base58BTC.decode(utf8: rest, offsetBase: 1))
        default: throw .unsupportedPrefix(first, name: knownNames[first])
        }
    }

    /// Multibase prefixes that swift-dht does not decode, by name, for error messages.
    private static let knownNames: [UInt8: String] = [
        UInt8(ascii: "f"): "base16",
        UInt8(ascii: "F"): "base16upper",
        UInt8(ascii: "B"): "base32upper",
        UInt8(ascii: "c"): "base32pad",
        UInt8(ascii: "v"): "base32hex",
        UInt8(ascii: "k"): "base36",
        UInt8(ascii: "K"): "base36upper",
        UInt8(ascii: "Z"): "base58flickr",
        UInt8(ascii: "m"): "base64",
        UInt8(ascii: "M"): "base64pad",
        UInt8(ascii: "u"): "base64url",
        UInt8(ascii: "U"): "base64urlpad",
        UInt8(ascii: "0"): "base2",
        UInt8(ascii: "7"): "base8",
        UInt8(ascii: "9"): "base10",
        UInt8(ascii: "1"): "bare base58btc (CIDv0 text starts with Qm)",
        UInt8(ascii: "Q"): "bare base58btc (CIDv0 text starts with Qm)",
    ]
}

/// Why multibase text could not be decoded.
public enum MultibaseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text is empty: there is no prefix character.
    case empty
    /// The prefix (first UTF-8 byte) is not one swift-dht decodes; `name` is the encoding it stands for, if known.
    case unsupportedPrefix(UInt8, name: String?)
    /// The byte at `offset` (in UTF-8 bytes of the whole text) is not in the base's alphabet.
    case invalidCharacter(UInt8, offset: Int)
    /// Unpadded base32 of this many characters cannot come from any byte string (1, 3 or 6 modulo 8).
    case invalidLength(Int)
    /// The unused low bits of the last base32 character are not zero: not the canonical encoding.
    case nonZeroPaddingBits

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .empty: "multibase text is empty"
        case .unsupportedPrefix(let byte, let name):
            "unsupported multibase prefix \(Self.show(byte))" + (name.map { " (\($0))" } ?? "")
        case .invalidCharacter(let byte, let offset): "invalid character \(Self.show(byte)) at offset \(offset)"
        case .invalidLength(let count): "base32 text of \(count) characters has an impossible length"
        case .nonZeroPaddingBits: "base32 text has non-zero bits after the last byte (not canonical)"
        }
    }

    private static func show(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7f { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }
}
