/// Bitcoin's base58 alphabet: the multibase `base58btc` encoding (prefix `z`), and the bare text form of CIDv0
/// (`Qm…`).
public enum Base58BTC {
    private static let coder = RadixCoder(alphabet: "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")

    /// Encodes `bytes`; each leading zero byte becomes a leading `1`.
    public static func encode(_ bytes: [UInt8]) -> String { coder.encode(bytes) }

    /// Decodes base58btc text; each leading `1` becomes a leading zero byte.
    ///
    /// - Throws: ``MultibaseError/invalidCharacter(_:offset:)`` for a character outside the alphabet (`0`, `O`,
    ///   `I`, `l`, whitespace, anything non-ASCII), with its offset in `text`'s UTF-8 bytes.
    public static func decode(_ text: some StringProtocol) throws(MultibaseError) -> [UInt8] {
        try coder.decode(utf8: Array(text.utf8), offsetBase: 0)
    }

    static func decode(utf8: [UInt8], offsetBase: Int) throws(MultibaseError) -> [UInt8] {
        try coder.decode(utf8: utf8, offsetBase: offsetBase)
    }
}
