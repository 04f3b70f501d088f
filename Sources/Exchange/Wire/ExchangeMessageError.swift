import Blocks

/// Why bytes were not accepted as an ``ExchangeMessage``. Each case says what is wrong and at which byte offset
/// (``offset``); ``reason`` is a short stable label for counting drops.
///
/// A receiver MUST drop a message that fails to decode and count it by ``reason``; the shell closes a channel
/// whose peer keeps sending them.
public enum ExchangeMessageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message is longer than ``ExchangeMessage/maxByteCount`` (the byte count is attached).
    case tooLarge(byteCount: Int)
    /// The message ends inside this field, which starts at `offset`.
    case truncated(ExchangeMessageField, offset: Int)
    /// The version byte (offset 0) is not ``ExchangeMessage/version``.
    case unsupportedVersion(UInt8)
    /// The type byte (offset 1) is no ``ExchangeMessageType``.
    case unknownType(UInt8)
    /// A varint at `offset` is longer than needed (or than 9 bytes): the encoding would not be canonical.
    case nonMinimalVarint(offset: Int)
    /// A list message's count at `offset` is zero.
    case emptyList(offset: Int)
    /// A list message's count at `offset` is over ``ExchangeMessage/maxEntries``.
    case tooManyEntries(UInt64, offset: Int)
    /// A CID length byte at `offset` is zero or over ``ExchangeMessage/maxCIDByteCount``.
    case badCIDLength(Int, offset: Int)
    /// The CID starting at `offset` does not decode.
    case invalidCID(CIDError, offset: Int)
    /// A want's flags byte at `offset` has bits set that this version does not define.
    case unknownFlags(UInt8, offset: Int)
    /// A `BLOCK`'s bytes, starting at `offset`, are over ``Block/maxByteCount``.
    case blockTooLarge(Int, offset: Int)
    /// This many bytes follow the end of a list message, starting at `offset`.
    case trailingBytes(Int, offset: Int)
    /// A `PADDING` byte at `offset` is not zero.
    case nonZeroPadding(offset: Int)
    /// A `HOLE_PUNCH` whose payload, starting at `offset`, is empty or over ``ExchangeMessage/maxHolePunchByteCount``.
    case holePunchLength(Int, offset: Int)

    /// The offset of the byte where the problem starts.
    public var offset: Int {
        switch self {
        case .tooLarge: ExchangeMessage.maxByteCount
        case .unsupportedVersion: 0
        case .unknownType: 1
        case .truncated(_, let offset), .nonMinimalVarint(let offset), .emptyList(let offset),
            .tooManyEntries(_, let offset), .badCIDLength(_, let offset), .invalidCID(_, let offset),
            .unknownFlags(_, let offset), .blockTooLarge(_, let offset), .trailingBytes(_, let offset),
            .nonZeroPadding(let offset), .holePunchLength(_, let offset):
            offset
        }
    }

    /// A short stable label (`"truncated"`, `"unknown-type"`, ...) for drop counters and metrics.
    public var reason: String {
        switch self {
        case .tooLarge: "too-large"
        case .truncated: "truncated"
        case .unsupportedVersion: "unsupported-version"
        case .unknownType: "unknown-type"
        case .nonMinimalVarint: "non-minimal-varint"
        case .emptyList: "empty-list"
        case .tooManyEntries: "too-many-entries"
        case .badCIDLength: "bad-cid-length"
        case .invalidCID: "invalid-cid"
        case .unknownFlags: "unknown-flags"
        case .blockTooLarge: "block-too-large"
        case .trailingBytes: "trailing-bytes"
        case .nonZeroPadding: "nonzero-padding"
        case .holePunchLength: "hole-punch-length"
        }
    }

    /// What is wrong, and at which offset.
    public var description: String {
        let what: String
        switch self {
        case .tooLarge(let count):
            what = "message of \(count) bytes is over the \(ExchangeMessage.maxByteCount)-byte limit"
        case .truncated(let field, _): what = "message ends inside the \(field.rawValue)"
        case .unsupportedVersion(let version):
            what = "unsupported version \(version) (expected \(ExchangeMessage.version))"
        case .unknownType(let type): what = "unknown message type 0x\(String(type, radix: 16))"
        case .nonMinimalVarint: what = "varint is not minimally encoded"
        case .emptyList: what = "list message without entries"
        case .tooManyEntries(let count, _): what = "\(count) entries (at most \(ExchangeMessage.maxEntries))"
        case .badCIDLength(let length, _):
            what = "CID length \(length) (1 to \(ExchangeMessage.maxCIDByteCount))"
        case .invalidCID(let error, _): what = "invalid CID: \(error)"
        case .unknownFlags(let flags, _): what = "undefined want flag bits 0x\(String(flags, radix: 16))"
        case .blockTooLarge(let count, _): what = "block of \(count) bytes (at most \(Block.maxByteCount))"
        case .trailingBytes(let count, _): what = "\(count) bytes after the end of the message"
        case .nonZeroPadding: what = "PADDING byte is not zero"
        case .holePunchLength(let count, _):
            what = "HOLE_PUNCH of \(count) bytes (1 to \(ExchangeMessage.maxHolePunchByteCount))"
        }
        return "\(what) at offset \(offset)"
    }
}

/// Why an ``ExchangeMessage`` could not be encoded: a receiver would reject it.
public enum ExchangeMessageEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A list message with no entries.
    case emptyList(ExchangeMessageType)
    /// A list message with more than ``ExchangeMessage/maxEntries`` entries (the count is attached).
    case tooManyEntries(ExchangeMessageType, Int)
    /// A block over ``Block/maxByteCount`` bytes (the count is attached).
    case blockTooLarge(Int)
    /// A `PADDING` of a negative byte count or over ``ExchangeMessage/maxPaddingByteCount`` (the count is attached).
    case paddingOutOfRange(Int)
    /// A `HOLE_PUNCH` of no bytes or over ``ExchangeMessage/maxHolePunchByteCount`` (the count is attached).
    case holePunchOutOfRange(Int)

    /// What is wrong.
    public var description: String {
        switch self {
        case .emptyList(let type): "\(type.name) without entries"
        case .tooManyEntries(let type, let count):
            "\(type.name) with \(count) entries (at most \(ExchangeMessage.maxEntries))"
        case .blockTooLarge(let count): "block of \(count) bytes (at most \(Block.maxByteCount))"
        case .paddingOutOfRange(let count):
            "PADDING of \(count) bytes (0 to \(ExchangeMessage.maxPaddingByteCount))"
        case .holePunchOutOfRange(let count):
            "HOLE_PUNCH of \(count) bytes (1 to \(ExchangeMessage.maxHolePunchByteCount))"
        }
    }
}
