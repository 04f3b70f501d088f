/// Decides whether a ``MutableRecord`` is valid and how it ranks: the rules of one kind of record, supplied by the
/// shell (IPNS records are checked in `DHTNode`, where signatures and the wall clock are at hand).
///
/// The core asks it before a store keeps a record, before a lookup counts an answer, and before it republishes one
/// of its own; it never reads the record's bytes itself. A validator must be deterministic for a given record and
/// moment, and cheap enough to run for every datagram that carries a record (an Ed25519 check costs some 50 µs).
public protocol MutableRecordValidator: Sendable {
    /// The verdict on `record` now.
    func validate(_ record: MutableRecord) -> MutableRecordVerdict
}

/// What a ``MutableRecordValidator`` says of a record.
public enum MutableRecordVerdict: Hashable, Sendable {
    /// Valid: its rank against other valid records under the same routing key.
    case valid(MutableRecordRank)
    /// Invalid, with a short reason in snake case (for example `bad_signature`, `expired`), used as a metrics
    /// label: a validator should keep the set of reasons small and fixed.
    case invalid(reason: String)
}

/// How a valid record ranks against another under the same routing key: the higher sequence wins; of two with the
/// same sequence, the one valid for longer.
public struct MutableRecordRank: Hashable, Sendable, Comparable {
    /// The record's sequence number.
    public var sequence: UInt64
    /// How long the record stays valid from the moment it was checked.
    public var validFor: Duration

    /// Creates a rank.
    public init(sequence: UInt64, validFor: Duration) {
        self.sequence = sequence
        self.validFor = validFor
    }

    /// Lower sequence first; for equal sequences, shorter validity first.
    public static func < (lhs: MutableRecordRank, rhs: MutableRecordRank) -> Bool {
        (lhs.sequence, lhs.validFor) < (rhs.sequence, rhs.validFor)
    }
}
