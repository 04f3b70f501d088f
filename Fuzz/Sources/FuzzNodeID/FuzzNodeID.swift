import DHTCrypto
import FuzzMain
import Kademlia
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: `NodeID(hex:)` and `NodeID(bytes:)` must throw or return, never trap, and a parsed ID
/// must give back the bytes or text it came from.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = UnsafeBufferPointer(start: data, count: size)

    if let id = try? NodeID(bytes: buffer) {
        precondition(id.bytes.elementsEqual(buffer), "NodeID(bytes:) round trip changed the bytes")
        precondition((try? NodeID(hex: id.hex)) == id, "NodeID hex round trip changed the ID")
    }

    let text = String(decoding: buffer, as: UTF8.self)
    if let id = try? NodeID(hex: text) {
        precondition(id.hex == text.lowercased(), "NodeID(hex:) round trip changed the text")
    }
    return 0
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzNodeIDMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
