/// A field of an ``ExchangeMessage``, named in decoding errors.
public enum ExchangeMessageField: String, Hashable, Sendable, CaseIterable {
    /// The version byte (offset 0).
    case version
    /// The type byte (offset 1).
    case type
    /// The varint entry count of a list message (offset 2).
    case count
    /// The length byte in front of a binary CID.
    case cidLength = "CID length"
    /// A binary CID.
    case cid = "CID"
    /// The 4-byte big-endian priority of a want.
    case priority
    /// The flags byte of a want.
    case flags
}
