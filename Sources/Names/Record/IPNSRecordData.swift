/// The DAG-CBOR map in an IPNS record's `data` field: what ``IPNSRecord/signatureV2`` signs (ipfs/specs
/// `ipns/ipns-record`, "Record Fields").
///
/// Encoded as a map of five entries with text keys in DAG-CBOR's canonical order (shorter keys first, then
/// bytewise): `TTL` (unsigned, nanoseconds), `Value` (bytes), `Sequence` (unsigned), `Validity` (bytes: RFC 3339
/// text), `ValidityType` (unsigned, 0 = EOL). Decoding accepts other keys, checked as strict DAG-CBOR and then
/// ignored, as the spec requires ("MUST ignore unexpected fields").
public struct IPNSRecordData: Hashable, Sendable {
    /// The path the name points at, such as `/ipfs/bafy…` (the `Value` entry).
    public var value: [UInt8]
    /// The expiry as RFC 3339 text when ``validityType`` is 0 (the `Validity` entry).
    public var validity: [UInt8]
    /// How to read ``validity``: 0 (EOL) is the only type the spec defines (the `ValidityType` entry).
    public var validityType: UInt64
    /// The record's version; a higher one replaces a lower (the `Sequence` entry).
    public var sequence: UInt64
    /// How long a resolver may cache the record, in nanoseconds (the `TTL` entry).
    public var ttl: UInt64
    /// How many entries other than the five were present (and ignored) when decoded.
    public private(set) var unknownFieldCount: Int = 0

    /// The largest `Sequence` and `TTL` written or read: DAG-CBOR implementations (go-ipld-prime's among them) hold
    /// integers as signed 64-bit values, so a larger one would be refused or read negative elsewhere.
    public static let maximumInteger = UInt64(Int64.max)

    /// The map's five fields.
    public init(value: [UInt8], validity: [UInt8], validityType: UInt64 = 0, sequence: UInt64, ttl: UInt64) {
        self.value = value
        self.validity = validity
        self.validityType = validityType
        self.sequence = sequence
        self.ttl = ttl
    }

    /// The canonical DAG-CBOR bytes: the exact `data` that a signature covers.
    public func encoded() -> [UInt8] {
        var writer = DAGCBORWriter()
        writer.appendMapHead(count: 5)
        // Canonical order: length first, then bytewise ("Sequence" < "Validity": both 8 bytes, 'S' < 'V').
        writer.appendText(Key.ttl)
        writer.appendUnsigned(ttl)
        writer.appendText(Key.value)
        writer.appendBytes(value)
        writer.appendText(Key.sequence)
        writer.appendUnsigned(sequence)
        writer.appendText(Key.validity)
        writer.appendBytes(validity)
        writer.appendText(Key.validityType)
        writer.appendUnsigned(validityType)
        return writer.bytes
    }

    /// Decodes a `data` field: one strict DAG-CBOR map and nothing after it, with the five fields of their types.
    ///
    /// - Throws: ``DAGCBORError`` for bytes that are not strict DAG-CBOR, a top-level item that is not a map, a
    ///   missing field, or a field of the wrong type (`Value` and `Validity` must be bytes; the others unsigned
    ///   integers, `Sequence` and `TTL` at most ``maximumInteger``).
    public init(decoding bytes: [UInt8]) throws(DAGCBORError) {
        var reader = DAGCBORReader(bytes)
        let head = try reader.readHead()
        guard head.major == .map else { throw .notAMap }

        var value: [UInt8]?
        var validity: [UInt8]?
        var validityType: UInt64?
        var sequence: UInt64?
        var ttl: UInt64?
        var unknown = 0
        var previous: Range<Int>? = nil
        var remaining = head.argument
        while remaining > 0 {
            let keyRange = try reader.readKey(after: previous)
            previous = keyRange
            let key = bytes[keyRange]
            if key.elementsEqual(Key.value.utf8) {
                value = try Self.readBytes(&reader, field: Key.value)
            } else if key.elementsEqual(Key.validity.utf8) {
                validity = try Self.readBytes(&reader, field: Key.validity)
            } else if key.elementsEqual(Key.validityType.utf8) {
                validityType = try Self.readUnsigned(&reader, field: Key.validityType, maximum: .max)
            } else if key.elementsEqual(Key.sequence.utf8) {
                sequence = try Self.readUnsigned(&reader, field: Key.sequence, maximum: Self.maximumInteger)
            } else if key.elementsEqual(Key.ttl.utf8) {
                ttl = try Self.readUnsigned(&reader, field: Key.ttl, maximum: Self.maximumInteger)
            } else {
                try reader.skipItem(depth: 1)
                unknown += 1
            }
            remaining -= 1
        }
        guard reader.isAtEnd else { throw .trailingBytes(offset: reader.position) }

        guard let value else { throw .missingField(Key.value) }
        guard let validity else { throw .missingField(Key.validity) }
        guard let validityType else { throw .missingField(Key.validityType) }
        guard let sequence else { throw .missingField(Key.sequence) }
        guard let ttl else { throw .missingField(Key.ttl) }
        self.init(value: value, validity: validity, validityType: validityType, sequence: sequence, ttl: ttl)
        self.unknownFieldCount = unknown
    }

    /// The map's keys, as the spec spells them.
    enum Key {
        static let value = "Value"
        static let validity = "Validity"
        static let validityType = "ValidityType"
        static let sequence = "Sequence"
        static let ttl = "TTL"
    }

    private static func readBytes(_ reader: inout DAGCBORReader, field: String) throws(DAGCBORError) -> [UInt8] {
        let head = try reader.readHead()
        guard head.major == .bytes else { throw .wrongType(field: field, expected: "a byte string") }
        return Array(reader.bytes[try reader.readPayload(length: head.argument, offset: head.offset)])
    }

    private static func readUnsigned(
        _ reader: inout DAGCBORReader,
        field: String,
        maximum: UInt64
    ) throws(DAGCBORError) -> UInt64 {
        let head = try reader.readHead()
        guard head.major == .unsigned, head.argument <= maximum else {
            throw .wrongType(
                field: field,
                expected: maximum == .max ? "an unsigned integer" : "an unsigned integer below 2^63"
            )
        }
        return head.argument
    }
}
