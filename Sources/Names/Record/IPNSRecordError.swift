import Blocks

/// Why bytes are not a valid IPNS record for a name at a given time, or why a record could not be made.
///
/// The cases follow the spec's order of checks (ipfs/specs `ipns/ipns-record`, "Record Verification"), and
/// ``IPNSRecord/init(validating:for:now:)`` reports the first that fails. ``reason`` is a short, stable word for
/// counters and logs; ``description`` a sentence for people.
public enum IPNSRecordError: Error, Equatable, Sendable, CustomStringConvertible, ProtobufDecodingError {
    /// Step 1: the serialized entry is larger than ``IPNSRecord/maximumByteCount``.
    case tooLarge(byteCount: Int)
    /// The bytes are not an `IpnsEntry` protobuf message.
    case malformedEntry(String)
    /// Step 2: `signatureV2` is missing or empty (V1-only records are refused: V2 is required).
    case missingSignatureV2
    /// Step 2: `data` is missing or empty.
    case missingData
    /// Step 3: `pubKey` holds a key of a type other than Ed25519.
    case unsupportedKeyType(UInt64)
    /// Step 3: `pubKey` is not a libp2p `PublicKey` message.
    case malformedPublicKey(String)
    /// Step 3: `pubKey` is not the key the name holds.
    case publicKeyMismatch
    /// Step 4: `data` is not strict DAG-CBOR, or lacks a field, or has one of the wrong type.
    case malformedData(DAGCBORError)
    /// Step 6: `signatureV2` does not verify over `"ipns-signature:"` and `data` with the name's key.
    case badSignatureV2
    /// Step 7: a legacy V1 field (`value`, `validity`, `validityType`, `sequence`, `ttl`) differs from the signed
    /// data; the name is the CBOR key of the field.
    case v1Mismatch(field: String)
    /// Step 8: `ValidityType` is not 0 (EOL), the only type defined.
    case unsupportedValidityType(UInt64)
    /// Step 8: `Validity` is not RFC 3339 text.
    case malformedValidity
    /// Step 8: the record's validity ended at or before `now`.
    case expired(validity: IPNSTime)
    /// Making a record: a field cannot be written (a sequence or TTL of 2^63 or more, an expiry outside years 0 to
    /// 9999, an empty value).
    case fieldOutOfRange(field: String, detail: String)

    package static func wireFormat(_ failure: ProtobufFailure) -> IPNSRecordError {
        switch failure {
        case .varint(let error): .malformedEntry(error.description)
        case .truncated(let offset, let needed, let available):
            .malformedEntry("field at offset \(offset) needs \(needed) bytes, \(available) remain")
        }
    }

    /// A short, stable word for the reason, for counters (`ipns_records_refused_total{reason}`) and JSON.
    public var reason: String {
        switch self {
        case .tooLarge: "too_large"
        case .malformedEntry: "malformed_entry"
        case .missingSignatureV2: "missing_signature_v2"
        case .missingData: "missing_data"
        case .unsupportedKeyType: "unsupported_key_type"
        case .malformedPublicKey: "malformed_public_key"
        case .publicKeyMismatch: "public_key_mismatch"
        case .malformedData: "malformed_data"
        case .badSignatureV2: "bad_signature_v2"
        case .v1Mismatch: "v1_mismatch"
        case .unsupportedValidityType: "unsupported_validity_type"
        case .malformedValidity: "malformed_validity"
        case .expired: "expired"
        case .fieldOutOfRange: "field_out_of_range"
        }
    }

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .tooLarge(let count):
            "the record is \(count) bytes, over the \(IPNSRecord.maximumByteCount)-byte limit"
        case .malformedEntry(let detail): "the record is not an IpnsEntry protobuf: \(detail)"
        case .missingSignatureV2: "the record has no signatureV2 (a V1-only record; V2 is required)"
        case .missingData: "the record has no data field"
        case .unsupportedKeyType(let type):
            "the record's pubKey is of type \(Libp2pPublicKey.keyTypeName(type) ?? String(type)): only Ed25519 is "
                + "supported"
        case .malformedPublicKey(let detail): "the record's pubKey is malformed: \(detail)"
        case .publicKeyMismatch: "the record's pubKey is not the name's key"
        case .malformedData(let error): "the record's data is not valid DAG-CBOR for a record: \(error)"
        case .badSignatureV2: "the record's signatureV2 does not verify with the name's key"
        case .v1Mismatch(let field): "the record's V1 field for \(field) differs from the signed data"
        case .unsupportedValidityType(let type): "the record's validity type \(type) is unknown (only 0, EOL)"
        case .malformedValidity: "the record's Validity is not RFC 3339 text"
        case .expired(let validity): "the record expired at \(validity)"
        case .fieldOutOfRange(let field, let detail): "cannot write the record's \(field): \(detail)"
        }
    }
}
