import Exchange
import FuzzMain

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: `ExchangeMessage(decoding:)` must throw or return, never trap; a message that decodes
/// must encode back to the same bytes (the encoding is canonical) and decode again to an equal message; decoding
/// the bytes in two pieces, split where the secure channel would split them, must give the same result.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    checkTwoPieces(buffer)
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

/// The split the secure channel makes (`blockBytesOffset` over the first 64 bytes) must not change what decodes.
func checkTwoPieces(_ buffer: UnsafeRawBufferPointer) {
    guard let offset = ExchangeMessage.blockBytesOffset(in: UnsafeRawBufferPointer(rebasing: buffer.prefix(64))) else {
        return
    }
    precondition(offset <= min(buffer.count, 64), "a split outside the prefix")
    let whole = Result { () throws(ExchangeMessageError) in try ExchangeMessage(decoding: buffer) }
    let pieces = Result { () throws(ExchangeMessageError) in
        try ExchangeMessage(decoding: Array(buffer[..<offset]), blockBytes: Array(buffer[offset...]))
    }
    switch (whole, pieces) {
    case (.success(let a), .success(let b)): precondition(a == b, "two pieces decoded to another message")
    case (.failure(let a), .failure(let b)): precondition(a == b, "two pieces failed otherwise: \(a) / \(b)")
    default: preconditionFailure("two pieces and the whole disagree: \(whole) / \(pieces)")
    }
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzExchangeMessageMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
