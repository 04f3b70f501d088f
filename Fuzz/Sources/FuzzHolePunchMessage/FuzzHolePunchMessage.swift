import FuzzMain
import Relay

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: ``HolePunchMessage/init(decoding:)`` on arbitrary bytes must throw or return, never trap,
/// and a message it reads must encode back to exactly those bytes (the encoding is canonical).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let message = try? HolePunchMessage(decoding: bytes) else { return 0 }
    precondition(message.encoded() == bytes, "re-encoding changed the bytes")
    precondition(bytes.count <= HolePunchMessage.maxByteCount, "a message over the size limit was read")
    return 0
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzHolePunchMessageMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
