import FuzzMain
import Kademlia

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: `DHTDatagram(decoding:)` must throw or return, never trap; a datagram that decodes must
/// encode back to the same bytes (the encoding is canonical) and decode again to an equal datagram.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = UnsafeBufferPointer(start: data, count: size)
    do throws(DHTDatagramError) {
        let datagram = try DHTDatagram(decoding: buffer)
        let bytes: [UInt8]
        do {
            bytes = try datagram.encoded()
        } catch {
            preconditionFailure("a decoded datagram failed to encode: \(error)")
        }
        precondition(bytes.elementsEqual(buffer), "re-encoding changed the bytes")
        let again = try DHTDatagram(decoding: bytes)
        precondition(again == datagram, "decoding the re-encoded bytes gave another datagram")
    } catch {
        // Rejected: every error must name an offset inside or at the end of the limit.
        precondition(error.offset >= 0 && error.offset <= DHTDatagram.maxByteCount, "offset out of range: \(error)")
    }
    return 0
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzDHTDatagramMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
