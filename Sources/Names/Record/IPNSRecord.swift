import DHTCrypto

/// A signed IPNS record that has passed every check of the spec for its name at some instant: only
/// ``init(validating:for:now:)`` and ``make(value:sequence:validity:ttl:key:v1Compatible:)`` create one, so a
/// value of this type is never an unchecked record (as a `Block` is never unverified bytes).
///
/// Validity is a matter of time: a record valid at `now` expires at ``validity``; check ``isExpired(at:)`` before
/// using one kept for a while.
public struct IPNSRecord: Hashable, Sendable {
    /// The largest serialized record accepted or made (ipfs/specs `ipns/ipns-record`, "Record Size Limit": 10 KiB).
    public static let maximumByteCount = 10 * 1024

    /// What `signatureV2` signs: these 15 bytes, then the `data` bytes.
    public static let signatureV2Prefix: [UInt8] = Array("ipns-signature:".utf8)

    /// The name whose key signed the record.
    public let name: IPNSName
    /// The protobuf message.
    public let entry: IPNSEntry
    /// The signed DAG-CBOR data.
    public let data: IPNSRecordData
    /// The end of the record's validity (its `Validity`).
    public let validity: IPNSTime
    /// The serialized record, exactly as received or made.
    public let bytes: [UInt8]

    /// The path the name points at (`Value`), as text; invalid UTF-8 is replaced (the bytes are in ``data``).
    public var value: String { String(decoding: data.value, as: UTF8.self) }
    /// The record's version (`Sequence`).
    public var sequence: UInt64 { data.sequence }
    /// How long a resolver may cache the record (`TTL`).
    public var ttl: Duration { .nanoseconds(Int64(clamping: data.ttl)) }

    /// Whether the record is expired at `now`: its validity must be later than `now` (the spec: "bigger than the
    /// current time").
    public func isExpired(at now: IPNSTime) -> Bool {
        validity <= now
    }

    // MARK: Validation

    /// Checks `bytes` as a record of `name` at `now`, in the spec's order, failing on the first error
    /// (ipfs/specs `ipns/ipns-record`, "Record Verification"):
    ///
    /// 1. at most ``maximumByteCount`` bytes, before parsing; then the protobuf message;
    /// 2. `signatureV2` and `data` present and not empty;
    /// 3. the key: `pubKey` if present (an Ed25519 `PublicKey` equal to the name's key), else the name's own;
    /// 4. `data` as strict DAG-CBOR with its five fields;
    /// 5–6. `signatureV2` over `"ipns-signature:"` + `data`, with Ed25519;
    /// 7. if `value` or `signatureV1` is present, each V1 field equals its CBOR copy (an absent one counts as
    ///    protobuf's default, empty or 0, as Go's reader does);
    /// 8. `ValidityType` 0 and `Validity` RFC 3339 text later than `now`.
    ///
    /// `signatureV1` is never checked (the spec: it "MUST never be used for signature verification").
    ///
    /// - Throws: ``IPNSRecordError``, one case per reason.
    public init(validating bytes: [UInt8], for name: IPNSName, now: IPNSTime) throws(IPNSRecordError) {
        // (1)
        guard bytes.count <= Self.maximumByteCount else { throw .tooLarge(byteCount: bytes.count) }
        let entry = try IPNSEntry(decoding: bytes)
        // (2)
        guard let signature = entry.signatureV2, !signature.isEmpty else { throw .missingSignatureV2 }
        guard let dataBytes = entry.data, !dataBytes.isEmpty else { throw .missingData }
        // (3)
        if let embedded = entry.publicKey, !embedded.isEmpty {
            let key: Ed25519PublicKey
            do {
                key = try Libp2pPublicKey.decode(embedded)
            } catch {
                if case .unsupportedKeyType(let type) = error { throw .unsupportedKeyType(type) }
                throw .malformedPublicKey(error.description)
            }
            guard key == name.publicKey else { throw .publicKeyMismatch }
        }
        // (4)
        let data: IPNSRecordData
        do {
            data = try IPNSRecordData(decoding: dataBytes)
        } catch {
            throw .malformedData(error)
        }
        // (5, 6)
        guard name.publicKey.isValidSignature(signature, for: Self.signatureV2Prefix + dataBytes) else {
            throw .badSignatureV2
        }
        // (7)
        if entry.hasV1Fields {
            if (entry.value ?? []) != data.value { throw .v1Mismatch(field: IPNSRecordData.Key.value) }
            if (entry.validity ?? []) != data.validity { throw .v1Mismatch(field: IPNSRecordData.Key.validity) }
            if (entry.validityType ?? 0) != data.validityType {
                throw .v1Mismatch(field: IPNSRecordData.Key.validityType)
            }
            if (entry.sequence ?? 0) != data.sequence { throw .v1Mismatch(field: IPNSRecordData.Key.sequence) }
            if (entry.ttl ?? 0) != data.ttl { throw .v1Mismatch(field: IPNSRecordData.Key.ttl) }
        }
        // (8)
        guard data.validityType == 0 else { throw .unsupportedValidityType(data.validityType) }
        // Non-ASCII bytes decode to characters the parser refuses, so invalid UTF-8 fails here too.
        guard let validity = IPNSTime(rfc3339: String(decoding: data.validity, as: UTF8.self)) else {
            throw .malformedValidity
        }
        guard validity > now else { throw .expired(validity: validity) }

        self.name = name
        self.entry = entry
        self.data = data
        self.validity = validity
        self.bytes = bytes
    }

    // MARK: Creation

    /// Makes and signs a record of `key`'s name pointing at `value` (a path such as `/ipfs/bafy…`).
    ///
    /// Always written: `data` (the five fields in canonical DAG-CBOR) and `signatureV2`. With `v1Compatible` (the
    /// default, as kubo and boxo do), also the legacy V1 copies `value`, `validityType`, `validity`, `sequence`,
    /// `ttl` and `signatureV1` (Ed25519 over `value` + `validity` + `"EOL"`), so that nodes older than V2 (kubo
    /// before 0.9) can still resolve the name; readers of this spec ignore `signatureV1`. `pubKey` is left out:
    /// an Ed25519 name holds its key (the spec: this step "SHOULD be skipped for Ed25519").
    ///
    /// For the same fields and key, the bytes are kubo's: Ed25519 signatures are deterministic, `Validity` is
    /// written as Go writes it (``IPNSTime/rfc3339``), and fields go in field-number order.
    ///
    /// - Parameters:
    ///   - validity: when the record expires (EOL). On the DHT, records live at most 48 hours.
    ///   - ttl: how long resolvers may cache it (the spec suggests 5 minutes); whole nanoseconds, not negative.
    /// - Throws: ``IPNSRecordError/fieldOutOfRange(field:detail:)`` for an empty value, a sequence or TTL of 2^63
    ///   or more, a negative TTL, an expiry outside years 0 to 9999; ``IPNSRecordError/tooLarge(byteCount:)``
    ///   when the record would exceed ``maximumByteCount`` (a value of several KiB).
    public static func make(
        value: String,
        sequence: UInt64,
        validity: IPNSTime,
        ttl: Duration,
        key: NodeIdentity,
        v1Compatible: Bool = true
    ) throws(IPNSRecordError) -> IPNSRecord {
        let valueBytes = Array(value.utf8)
        guard !valueBytes.isEmpty else { throw .fieldOutOfRange(field: "Value", detail: "it is empty") }
        guard sequence <= IPNSRecordData.maximumInteger else {
            throw .fieldOutOfRange(field: "Sequence", detail: "\(sequence) is 2^63 or more")
        }
        let (seconds, attoseconds) = ttl.components
        guard seconds >= 0, attoseconds >= 0 else {
            throw .fieldOutOfRange(field: "TTL", detail: "it is negative")
        }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (ttlNanoseconds, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !overflow, !overflow2 else {
            throw .fieldOutOfRange(field: "TTL", detail: "it is 2^63 nanoseconds (292 years) or more")
        }
        guard let validityText = validity.rfc3339 else {
            throw .fieldOutOfRange(field: "Validity", detail: "\(validity) is outside years 0 to 9999")
        }

        let data = IPNSRecordData(
            value: valueBytes,
            validity: Array(validityText.utf8),
            validityType: 0,
            sequence: sequence,
            ttl: UInt64(ttlNanoseconds)
        )
        let dataBytes = data.encoded()
        var entry = IPNSEntry(signatureV2: key.sign(signatureV2Prefix + dataBytes), data: dataBytes)
        if v1Compatible {
            entry.value = data.value
            entry.validityType = data.validityType
            entry.validity = data.validity
            entry.sequence = data.sequence
            entry.ttl = data.ttl
            entry.signatureV1 = key.sign(signatureV1Input(value: data.value, validity: data.validity))
        }
        let bytes = entry.encoded()
        guard bytes.count <= maximumByteCount else { throw .tooLarge(byteCount: bytes.count) }
        return IPNSRecord(
            name: IPNSName(publicKey: key.publicKey),
            entry: entry,
            data: data,
            validity: validity,
            bytes: bytes
        )
    }

    /// What the legacy `signatureV1` signs: `value`, `validity`, then the validity type's name as Go prints the
    /// protobuf enum (`"EOL"` for 0).
    public static func signatureV1Input(value: [UInt8], validity: [UInt8]) -> [UInt8] {
        value + validity + Array("EOL".utf8)
    }

    private init(name: IPNSName, entry: IPNSEntry, data: IPNSRecordData, validity: IPNSTime, bytes: [UInt8]) {
        self.name = name
        self.entry = entry
        self.data = data
        self.validity = validity
        self.bytes = bytes
    }

    // MARK: Choosing between records

    /// Whether this record should replace `other`, a valid record of the same name: a higher sequence wins, then a
    /// later validity (as boxo's `Validator.Select`; both are V2 records, since only those validate here). Equal
    /// sequence and validity: neither is newer.
    public func isNewer(than other: IPNSRecord) -> Bool {
        if sequence != other.sequence { return sequence > other.sequence }
        return validity > other.validity
    }
}
