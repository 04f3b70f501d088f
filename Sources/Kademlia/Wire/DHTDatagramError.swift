/// Why bytes were not accepted as a DHT datagram. Each case says what is wrong and at which byte offset
/// (``offset``); ``reason`` is a short stable label for counting drops.
///
/// A receiver MUST drop a datagram that fails to decode, count it by ``reason``, and send nothing back.
public enum DHTDatagramError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The datagram is longer than ``DHTDatagram/maxByteCount`` (the byte count is attached; the offset is 1280).
    case tooLarge(byteCount: Int)
    /// The datagram ends inside this field, which starts at `offset`.
    case truncated(DHTDatagramField, offset: Int)
    /// The version byte (offset 0) is not ``DHTDatagram/version``.
    case unsupportedVersion(UInt8)
    /// The type byte (offset 1) is no ``DHTMessageType``.
    case unknownType(UInt8)
    /// The flags byte (offset 2) has bits set that this version does not define.
    case unknownFlags(UInt8)
    /// A write token's length byte at `offset` is over ``DHTDatagram/maxWriteTokenByteCount``.
    case tokenTooLong(Int, offset: Int)
    /// A contact count at `offset` is over ``DHTDatagram/maxContacts``.
    case tooManyContacts(Int, offset: Int)
    /// A value count at `offset` is over ``DHTDatagram/maxValues``.
    case tooManyValues(Int, offset: Int)
    /// An `ADD_PROVIDER` names more relays than ``DHTDatagram/maxRelays``.
    case tooManyRelays(Int, offset: Int)
    /// A contact's address family byte at `offset` is neither 4 nor 6.
    case badAddressFamily(UInt8, offset: Int)
    /// A contact's port at `offset` is 0.
    case zeroPort(offset: Int)
    /// A value's length at `offset` is over ``DHTDatagram/maxValueByteCount``.
    case valueTooLarge(Int, offset: Int)
    /// The `STORED` outcome byte at `offset` is not a known outcome.
    case unknownStoreOutcome(UInt8, offset: Int)
    /// This many bytes follow the end of the message, starting at `offset`.
    case trailingBytes(Int, offset: Int)
    /// The `PADDED` flag is set but nothing follows the body (at `offset`).
    case emptyPadding(offset: Int)
    /// A padding byte at `offset` is not zero.
    case nonZeroPadding(offset: Int)
    /// A response (type byte `0x81`–`0x85`) has the `PADDED` flag set; only requests are padded (offset 2).
    case paddedResponse
    /// A `PUT_RECORD`'s routing key is empty or longer than ``MutableRecord/maxRoutingKeyByteCount``.
    case badRoutingKeyLength(Int, offset: Int)
    /// The `DIAL_STATUS` status byte at `offset` is not a known ``DialStatus``.
    case unknownDialStatus(UInt8, offset: Int)
    /// A response has the `CLIENT` flag set; only requests carry it (offset 2).
    case clientResponse

    /// The offset of the byte where the problem starts.
    public var offset: Int {
        switch self {
        case .tooLarge: DHTDatagram.maxByteCount
        case .truncated(_, let offset): offset
        case .unsupportedVersion: 0
        case .unknownType: 1
        case .unknownFlags, .paddedResponse, .clientResponse: 2
        case .tokenTooLong(_, let offset), .tooManyContacts(_, let offset), .tooManyValues(_, let offset), .tooManyRelays(_, let offset),
            .badAddressFamily(_, let offset), .zeroPort(let offset), .valueTooLarge(_, let offset),
            .unknownStoreOutcome(_, let offset), .trailingBytes(_, let offset), .emptyPadding(let offset),
            .nonZeroPadding(let offset), .badRoutingKeyLength(_, let offset), .unknownDialStatus(_, let offset):
            offset
        }
    }

    /// A short stable label (`"truncated"`, `"unsupported-version"`, ...) for drop counters and metrics.
    public var reason: String {
        switch self {
        case .tooLarge: "too-large"
        case .truncated: "truncated"
        case .unsupportedVersion: "unsupported-version"
        case .unknownType: "unknown-type"
        case .unknownFlags: "unknown-flags"
        case .tokenTooLong: "token-too-long"
        case .tooManyContacts: "too-many-contacts"
        case .tooManyValues: "too-many-values"
        case .tooManyRelays: "too-many-relays"
        case .badAddressFamily: "bad-address-family"
        case .zeroPort: "zero-port"
        case .valueTooLarge: "value-too-large"
        case .unknownStoreOutcome: "unknown-store-outcome"
        case .trailingBytes: "trailing-bytes"
        case .emptyPadding: "empty-padding"
        case .nonZeroPadding: "non-zero-padding"
        case .paddedResponse: "padded-response"
        case .badRoutingKeyLength: "bad-routing-key-length"
        case .unknownDialStatus: "unknown-dial-status"
        case .clientResponse: "client-response"
        }
    }

    /// What is wrong, and at which offset.
    public var description: String {
        let what: String
        switch self {
        case .tooLarge(let count):
            what = "datagram of \(count) bytes is over the \(DHTDatagram.maxByteCount)-byte limit"
        case .truncated(let field, _): what = "datagram ends inside the \(field.rawValue)"
        case .unsupportedVersion(let version): what = "unsupported version \(version) (expected \(DHTDatagram.version))"
        case .unknownType(let type): what = "unknown message type 0x\(String(type, radix: 16))"
        case .unknownFlags(let flags): what = "undefined flag bits 0x\(String(flags, radix: 16))"
        case .tokenTooLong(let length, _):
            what = "write token of \(length) bytes (at most \(DHTDatagram.maxWriteTokenByteCount))"
        case .tooManyContacts(let count, _): what = "\(count) contacts (at most \(DHTDatagram.maxContacts))"
        case .tooManyValues(let count, _): what = "\(count) values (at most \(DHTDatagram.maxValues))"
        case .tooManyRelays(let count, _): what = "\(count) relays (at most \(DHTDatagram.maxRelays))"
        case .badAddressFamily(let family, _): what = "address family \(family) (expected 4 or 6, or 0x14 or 0x16 for a provider through a relay)"
        case .zeroPort: what = "contact port is 0"
        case .valueTooLarge(let length, _):
            what = "value of \(length) bytes (at most \(DHTDatagram.maxValueByteCount))"
        case .unknownStoreOutcome(let code, _): what = "unknown store outcome 0x\(String(code, radix: 16))"
        case .trailingBytes(let count, _): what = "\(count) bytes after the end of the message"
        case .emptyPadding: what = "PADDED flag without padding"
        case .nonZeroPadding: what = "padding byte is not zero"
        case .paddedResponse: what = "PADDED flag on a response (only requests are padded)"
        case .badRoutingKeyLength(let length, _):
            what = "routing key of \(length) bytes (1 to \(MutableRecord.maxRoutingKeyByteCount))"
        case .unknownDialStatus(let code, _): what = "unknown dial status 0x\(String(code, radix: 16))"
        case .clientResponse: what = "CLIENT flag on a response (only requests carry it)"
        }
        return "\(what) at offset \(offset)"
    }
}

/// Why a ``DHTDatagram`` could not be encoded: something a receiver would reject that cutting lists cannot fix.
public enum DHTDatagramEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The sender key is not 32 bytes (the length is attached).
    case senderKeyLength(Int)
    /// The write token is over ``DHTDatagram/maxWriteTokenByteCount`` bytes (the length is attached).
    case writeTokenTooLong(Int)
    /// A value (in `STORE` or `VALUES`) is over ``DHTDatagram/maxValueByteCount`` bytes (the length is attached).
    case valueTooLarge(Int)
    /// A contact has port 0.
    case zeroPort(Contact)
    /// A `PONG` without a 64-byte signature (the length is attached).
    case signatureLength(Int)
    /// A `PUT_RECORD`'s routing key is empty or over ``MutableRecord/maxRoutingKeyByteCount`` bytes.
    case routingKeyLength(Int)
    /// A `DIAL_REQUEST`'s target or a `DIAL_STATUS`'s observed address has port 0.
    case zeroAddressPort(NodeAddress)
    /// An `ADD_PROVIDER` names more than ``DHTDatagram/maxRelays`` relays.
    case tooManyRelays(Int)

    /// What is wrong.
    public var description: String {
        switch self {
        case .senderKeyLength(let count): "sender key is \(count) bytes, expected 32"
        case .writeTokenTooLong(let count):
            "write token is \(count) bytes, at most \(DHTDatagram.maxWriteTokenByteCount)"
        case .valueTooLarge(let count): "value is \(count) bytes, at most \(DHTDatagram.maxValueByteCount)"
        case .zeroPort(let contact): "contact \(contact.id) has port 0"
        case .signatureLength(let count): "PONG signature is \(count) bytes, expected 64"
        case .routingKeyLength(let count):
            "routing key is \(count) bytes, expected 1 to \(MutableRecord.maxRoutingKeyByteCount)"
        case .zeroAddressPort(let address): "address \(address) has port 0"
        case .tooManyRelays(let count): "\(count) relays, at most \(DHTDatagram.maxRelays)"
        }
    }
}
