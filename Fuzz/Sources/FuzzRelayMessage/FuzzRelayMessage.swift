import FuzzMain
import Relay

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: a ``RelayMessageReader`` fed arbitrary bytes must throw or return, never trap; the
/// messages it cuts must encode back to exactly the bytes they came from (the encoding is canonical); and feeding
/// the same bytes one at a time, as a slow connection would, must give the same messages and the same error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = read(bytes, pieceSize: max(bytes.count, 1))
    let trickled = read(bytes, pieceSize: 1)
    precondition(whole.messages == trickled.messages, "one byte at a time cut other messages")
    precondition(whole.error == trickled.error, "one byte at a time failed otherwise")
    let encoded = whole.messages.flatMap { $0.encoded() }
    precondition(bytes.starts(with: encoded), "re-encoding changed the bytes")
    if whole.error == nil {
        precondition(encoded.count + whole.remainder.count == bytes.count, "bytes lost between messages")
        precondition(whole.remainder.count < 2 + RelayMessage.maxBodyByteCount, "a whole message left unread")
    }
    return 0
}

/// The messages `bytes` hold, fed in pieces of `pieceSize`, up to the first error.
func read(_ bytes: [UInt8], pieceSize: Int) -> (messages: [RelayMessage], error: RelayWireError?, remainder: [UInt8]) {
    var reader = RelayMessageReader()
    var messages: [RelayMessage] = []
    var start = 0
    do throws(RelayWireError) {
        while start < bytes.count {
            let end = min(start + pieceSize, bytes.count)
            if let message = try reader.read(bytes[start..<end]) { messages.append(message) }
            while let message = try reader.next() { messages.append(message) }
            start = end
        }
    } catch {
        return (messages, error, reader.remainder)
    }
    return (messages, nil, reader.remainder)
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzRelayMessageMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
