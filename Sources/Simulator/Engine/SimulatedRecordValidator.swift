import Kademlia

/// The mutable records of a simulation: eight bytes of sequence, valid for 48 hours. The simulator measures how
/// records travel, not how they are signed: a real node's validator (IPNS) checks a signature that costs some 50 µs
/// and decides nothing else about routing.
struct SimulatedRecordValidator: MutableRecordValidator {
    static func record(_ routingKey: [UInt8], sequence: UInt64) -> MutableRecord {
        MutableRecord(
            routingKey: routingKey,
            bytes: stride(from: 56, through: 0, by: -8).map { UInt8(truncatingIfNeeded: sequence >> UInt64($0)) })
    }

    func validate(_ record: MutableRecord) -> MutableRecordVerdict {
        guard record.bytes.count == 8 else { return .invalid(reason: "malformed") }
        let sequence = record.bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return .valid(MutableRecordRank(sequence: sequence, validFor: .seconds(48 * 3600)))
    }

    /// The sequence of a record this validator takes.
    static func sequence(of bytes: [UInt8]) -> UInt64? {
        bytes.count == 8 ? bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } : nil
    }
}
