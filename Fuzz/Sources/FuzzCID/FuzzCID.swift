import Blocks
import FuzzMain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: `CID(decoding:)` and `CID(parsing:)` must throw or return, never trap.
///
/// Round trips: a decoded binary CID encodes back to exactly the input (the decoder takes minimal varints only, so
/// each CID has one binary form); any parsed CID prints to text that parses back to it, and its binary form decodes
/// back to it; multihashes likewise.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    if let cid = try? CID(decoding: bytes) {
        precondition(cid.bytes == bytes, "binary CID round trip changed the bytes")
        precondition(cid.byteCount == bytes.count, "byteCount differs from the encoded length")
        check(cid)
    }
    if let multihash = try? Multihash(decoding: bytes) {
        precondition(multihash.bytes == bytes, "multihash round trip changed the bytes")
    }

    let text = String(decoding: bytes, as: UTF8.self)
    if let cid = try? CID(parsing: text) {
        check(cid)
        // Canonical text (base32 CIDv1, base58btc CIDv0) parses to itself and prints unchanged.
        if text.first == "b" || text.hasPrefix("Qm") {
            precondition(cid.description == text, "canonical CID text did not print back unchanged")
        }
    }
    return 0
}

/// Text and binary forms of `cid` read back to `cid`.
private func check(_ cid: CID) {
    precondition((try? CID(parsing: cid.description)) == cid, "CID text round trip changed the CID")
    precondition((try? CID(decoding: cid.bytes)) == cid, "CID binary round trip changed the CID")
    precondition(cid.v1.multihash == cid.multihash && cid.v1.codec == cid.codec, "v1 changed the block named")
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzCIDMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
