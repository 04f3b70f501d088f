import DHTCrypto
import FuzzMain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: `Hex.decode` must throw or return, never trap, and what it returns must encode back to
/// the same text up to letter case.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let bytes = try? Hex.decode(text) {
        precondition(bytes.count * 2 == text.utf8.count, "decoded length does not match the text")
        precondition(Hex.encode(bytes) == text.lowercased(), "hex round trip changed the bytes")
    }
    return 0
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzHexMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
