import FuzzMain
import Names

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names of two of the spec's vectors (the corpus holds their records), so mutated records reach the signature,
/// V1 and expiry checks instead of stopping at the key.
private let names: [IPNSName] = [
    try! IPNSName(parsing: "k51qzi5uqu5dlkw8pxuw9qmqayfdeh4kfebhmreauqdc6a7c3y7d5i9fi8mk9w"),
    try! IPNSName(parsing: "k51qzi5uqu5dit2ku9mutlfgwyz8u730on38kd10m97m36bjt66my99hb6103f"),
]
private let now = IPNSTime(secondsSince1970: 1_750_000_000)

/// libFuzzer entry point: the IPNS record decoder and validator, the DAG-CBOR reader, name and time parsing must
/// throw a typed error or return, never trap.
///
/// Round trips: a decoded entry encodes to bytes that decode to the same entry; a decoded data map without
/// unknown fields encodes back to exactly its input (strict DAG-CBOR has one encoding per value); a validated
/// record validates again from its bytes, with the same fields; parsed names and times print to text that parses
/// back to them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    for name in names {
        do {
            let record = try IPNSRecord(validating: bytes, for: name, now: now)
            let again = try? IPNSRecord(validating: record.bytes, for: name, now: now)
            precondition(again == record, "a valid record did not validate again")
            precondition(record.validity > now && !record.isExpired(at: now), "an expired record validated")
        } catch {
            precondition(!error.reason.isEmpty && !error.description.isEmpty, "an error without a reason")
        }
    }

    if let entry = try? IPNSEntry(decoding: bytes) {
        precondition((try? IPNSEntry(decoding: entry.encoded())) == entry, "entry round trip changed the fields")
        if let dataBytes = entry.data { checkData(dataBytes) }
    }
    checkData(bytes)

    let text = String(decoding: bytes, as: UTF8.self)
    if let name = try? IPNSName(parsing: text) {
        precondition((try? IPNSName(parsing: name.base36)) == name, "base36 name round trip")
        precondition((try? IPNSName(parsing: name.peerID)) == name, "peer ID round trip")
        precondition((try? IPNSName(routingKey: name.routingKey)) == name, "routing key round trip")
    }
    if let time = IPNSTime(rfc3339: text), let written = time.rfc3339 {
        precondition(IPNSTime(rfc3339: written) == time, "RFC 3339 round trip")
    }
    return 0
}

/// A data map that decodes with only the five fields encodes back to exactly `bytes`.
private func checkData(_ bytes: [UInt8]) {
    guard let data = try? IPNSRecordData(decoding: bytes) else { return }
    if data.unknownFieldCount == 0 {
        precondition(data.encoded() == bytes, "strict DAG-CBOR data did not encode back to its bytes")
    }
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzIPNSRecordMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
