/// Base36 (`0`–`9`, `a`–`z`): the multibase `base36` encoding (prefix `k`, `K` for the uppercase form), which
/// kubo uses to print IPNS names (`k51…`) because it fits in one DNS label and ignores case.
///
/// Like base58btc, it is a big-number conversion: each leading zero byte is written as one leading `0`.
public enum Base36 {
    private static let coder = RadixCoder(alphabet: "0123456789abcdefghijklmnopqrstuvwxyz", ignoringCase: true)

    /// Encodes `bytes` as lowercase base36.
    public static func encode(_ bytes: [UInt8]) -> String { coder.encode(bytes) }

    /// Decodes base36 text in either case (the multibase spec's `k` and `K` differ only in the case written).
    ///
    /// - Throws: ``MultibaseError/invalidCharacter(_:offset:)`` for a character outside `0`–`9`, `a`–`z`,
    ///   `A`–`Z`, with its offset in `text`'s UTF-8 bytes.
    public static func decode(_ text: some StringProtocol) throws(MultibaseError) -> [UInt8] {
        try coder.decode(utf8: Array(text.utf8), offsetBase: 0)
    }
}
