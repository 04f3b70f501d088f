import Foundation
import Kademlia
import Names

extension IPNSTime {
    /// The system clock's time now. The DHT node reads the wall clock here, and only here, for IPNS validity;
    /// `Names` itself never reads one.
    public static func now() -> IPNSTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return IPNSTime(secondsSince1970: Int64(spec.tv_sec), nanoseconds: UInt32(spec.tv_nsec))
    }
}

/// The rules of IPNS records for the DHT core (ipfs/specs `ipns/ipns-record`): the routing key must be `/ipns/`
/// and an Ed25519 name's multihash, and the record must validate for that name now (size, key, `signatureV2`, the
/// V1 fields if present, expiry). Its rank is its sequence and the time left to its validity.
///
/// Refusals carry ``Names/IPNSRecordError/reason`` (`bad_signature_v2`, `expired`, ...) or `bad_routing_key`.
public struct IPNSRecordValidator: MutableRecordValidator {
    /// Reads the wall clock (the system's by default; tests pass their own).
    public let clock: @Sendable () -> IPNSTime

    /// A validator that checks expiry against `clock`.
    public init(clock: @escaping @Sendable () -> IPNSTime = { IPNSTime.now() }) {
        self.clock = clock
    }

    /// The verdict on `record`.
    public func validate(_ record: MutableRecord) -> MutableRecordVerdict {
        guard let name = try? IPNSName(routingKey: record.routingKey) else { return .invalid(reason: "bad_routing_key") }
        let now = clock()
        do {
            let valid = try IPNSRecord(validating: record.bytes, for: name, now: now)
            return .valid(MutableRecordRank(sequence: valid.sequence, validFor: valid.validity.duration(since: now)))
        } catch {
            return .invalid(reason: error.reason)
        }
    }
}
