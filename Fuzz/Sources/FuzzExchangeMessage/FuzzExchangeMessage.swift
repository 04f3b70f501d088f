import Exchange
import FuzzMain

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: `ExchangeMessage(decoding:)` must throw or return, never trap; a message that decodes
/// must encode back to the same bytes (the encoding is canonical) and decode again to an equal message.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    do throws(ExchangeMessageError) {
        let message = try ExchangeMessage(decoding: buffer)
        let bytes: [UInt8]
        do {
            bytes = try message.encoded()
        } catch {
            preconditionFailure("a decoded message failed to encode: \(error)")
        }
        precondition(bytes.count == message.encodedCount, "encodedCount disagrees with the encoding")
        precondition(bytes.elementsEqual(buffer), "re-encoding changed the bytes")
        let again = try ExchangeMessage(decoding: bytes)
        precondition(again == message, "decoding the re-encoded bytes gave another message")
    } catch {
        // Rejected: every error must name an offset inside or at the end of the limit, and a reason.
        precondition(error.offset >= 0 && error.offset <= ExchangeMessage.maxByteCount, "offset out of range: \(error)")
        precondition(!error.reason.isEmpty)
    }
    return 0
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzExchangeMessageMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
