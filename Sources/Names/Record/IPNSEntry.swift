import Blocks

/// The `IpnsEntry` protobuf message, as bytes on the wire and at rest (ipfs/specs `ipns/ipns-record`, "Record
/// Serialization Format"), not yet checked: fields may be missing, signatures wrong. ``IPNSRecord`` is a checked
/// one.
///
/// | field | name | wire type | meaning |
/// |---|---|---|---|
/// | 1 | `value` | bytes | legacy V1 copy of `data[Value]` |
/// | 2 | `signatureV1` | bytes | legacy signature, never checked |
/// | 3 | `validityType` | varint | legacy V1 copy of `data[ValidityType]` |
/// | 4 | `validity` | bytes | legacy V1 copy of `data[Validity]` |
/// | 5 | `sequence` | varint | legacy V1 copy of `data[Sequence]` |
/// | 6 | `ttl` | varint | legacy V1 copy of `data[TTL]` |
/// | 7 | `pubKey` | bytes | the key, when the name does not hold it (never for Ed25519) |
/// | 8 | `signatureV2` | bytes | Ed25519 over `"ipns-signature:"` and `data` |
/// | 9 | `data` | bytes | the DAG-CBOR map (``IPNSRecordData``) |
///
/// Decoding follows protobuf's rules where they matter for compatibility: fields in any order, the last of a
/// repeated field wins, unknown fields (wire types 0, 1, 2, 5) are skipped. It is stricter in two ways no real
/// encoder meets: a known field with the wrong wire type, groups, and varints that are not minimally encoded are
/// refused.
public struct IPNSEntry: Hashable, Sendable {
    /// Field 1.
    public var value: [UInt8]?
    /// Field 2.
    public var signatureV1: [UInt8]?
    /// Field 3.
    public var validityType: UInt64?
    /// Field 4.
    public var validity: [UInt8]?
    /// Field 5.
    public var sequence: UInt64?
    /// Field 6.
    public var ttl: UInt64?
    /// Field 7.
    public var publicKey: [UInt8]?
    /// Field 8.
    public var signatureV2: [UInt8]?
    /// Field 9.
    public var data: [UInt8]?

    /// An entry with the given fields; `nil` ones are left out of the encoding.
    public init(
        value: [UInt8]? = nil,
        signatureV1: [UInt8]? = nil,
        validityType: UInt64? = nil,
        validity: [UInt8]? = nil,
        sequence: UInt64? = nil,
        ttl: UInt64? = nil,
        publicKey: [UInt8]? = nil,
        signatureV2: [UInt8]? = nil,
        data: [UInt8]? = nil
    ) {
        self.value = value
        self.signatureV1 = signatureV1
        self.validityType = validityType
        self.validity = validity
        self.sequence = sequence
        self.ttl = ttl
        self.publicKey = publicKey
        self.signatureV2 = signatureV2
        self.data = data
    }

    /// Whether any legacy V1 field is present (`value` or `signatureV1`): the spec's condition for checking that
    /// the V1 copies match the signed data.
    public var hasV1Fields: Bool {
        !(value ?? []).isEmpty || !(signatureV1 ?? []).isEmpty
    }

    /// The protobuf bytes: present fields in field-number order, as Go's and JavaScript's encoders write them.
    public func encoded() -> [UInt8] {
        var output: [UInt8] = []
        if let value { ProtobufWire.appendBytesField(Field.value, value, to: &output) }
        if let signatureV1 { ProtobufWire.appendBytesField(Field.signatureV1, signatureV1, to: &output) }
        if let validityType { ProtobufWire.appendVarintField(Field.validityType, validityType, to: &output) }
        if let validity { ProtobufWire.appendBytesField(Field.validity, validity, to: &output) }
        if let sequence { ProtobufWire.appendVarintField(Field.sequence, sequence, to: &output) }
        if let ttl { ProtobufWire.appendVarintField(Field.ttl, ttl, to: &output) }
        if let publicKey { ProtobufWire.appendBytesField(Field.publicKey, publicKey, to: &output) }
        if let signatureV2 { ProtobufWire.appendBytesField(Field.signatureV2, signatureV2, to: &output) }
        if let data { ProtobufWire.appendBytesField(Field.data, data, to: &output) }
        return output
    }

    /// Decodes the protobuf bytes of an entry. Does not check the size limit, the signature or the data: see
    /// ``IPNSRecord/init(validating:for:now:)``.
    ///
    /// - Throws: ``IPNSRecordError/malformedEntry(_:)`` naming the first problem.
    public init(decoding bytes: [UInt8]) throws(IPNSRecordError) {
        self.init()
        var reader = ProtobufReader<IPNSRecordError>(bytes)
        while !reader.isAtEnd {
            let key = try reader.readKey()
            guard key.field != 0 else { throw .malformedEntry("field number 0 at offset \(key.offset)") }
            let expected: UInt8? =
                switch key.field {
                case Field.validityType, Field.sequence, Field.ttl: 0
                case 1...9: 2
                default: nil
                }
            guard let expected else {
                guard try reader.skip(wireType: key.wireType) else {
                    throw .malformedEntry("field \(key.field) at offset \(key.offset) has wire type \(key.wireType)")
                }
                continue
            }
            guard key.wireType == expected else {
                throw .malformedEntry(
                    "field \(key.field) at offset \(key.offset) has wire type \(key.wireType), not \(expected)"
                )
            }
            if expected == 0 {
                let number = try reader.readVarint()
                switch key.field {
                case Field.validityType: validityType = number
                case Field.sequence: sequence = number
                default: ttl = number
                }
            } else {
                let payload = Array(bytes[try reader.readLengthDelimited()])
                switch key.field {
                case Field.value: value = payload
                case Field.signatureV1: signatureV1 = payload
                case Field.validity: validity = payload
                case Field.publicKey: publicKey = payload
                case Field.signatureV2: signatureV2 = payload
                default: data = payload
                }
            }
        }
    }

    /// Field numbers of `IpnsEntry`.
    enum Field {
        static let value: UInt64 = 1
        static let signatureV1: UInt64 = 2
        static let validityType: UInt64 = 3
        static let validity: UInt64 = 4
        static let sequence: UInt64 = 5
        static let ttl: UInt64 = 6
        static let publicKey: UInt64 = 7
        static let signatureV2: UInt64 = 8
        static let data: UInt64 = 9
    }
}
