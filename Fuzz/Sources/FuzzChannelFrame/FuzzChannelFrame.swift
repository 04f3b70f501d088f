import DHTCrypto
import FuzzMain
import SecureChannel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fixed key the frame seeds in `Corpus/FuzzChannelFrame/` are sealed with (32 bytes of 0x42, ChaCha20-Poly1305).
let frameKey = try! AEADKey(cipher: .chaCha20Poly1305, bytes: [UInt8](repeating: 0x42, count: 32))
/// Both handshake sides use fixed keys, so a seed's message 1 stays valid from run to run.
let configuration = HandshakeConfiguration(
    identity: try! NodeIdentity(seed: [UInt8](repeating: 2, count: 32)),
    ciphers: [.chaCha20Poly1305]
)

/// libFuzzer entry point. Byte 0 picks the target: 0 the frame reader (with a payload split), 1 a handshake responder, 2 an initiator
/// that sent its message 1 and reads the rest as the answer. Byte 1 sets the size of the pieces the rest is
/// delivered in. Nothing may trap; a decoder that failed stays failed; no frame opens over the limit; a handshake
/// ends at most once, sends nothing in the step where it fails, and an initiator sends only as it establishes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let pieceSize = Int(input[1]) + 1
    let payload = input[2...]
    switch input[0] % 3 {
    case 0:
        fuzzFrames(payload, pieceSize: pieceSize)
    case 1:
        fuzzHandshake(
            .responder(configuration: configuration, ephemeralKey: try! X25519PrivateKey(bytes: [UInt8](repeating: 102, count: 32))),
            payload, pieceSize: pieceSize
        )
    default:
        fuzzHandshake(
            .initiator(configuration: configuration, ephemeralKey: try! X25519PrivateKey(bytes: [UInt8](repeating: 101, count: 32))),
            payload, pieceSize: pieceSize
        )
    }
    return 0
}

/// Splits a frame whose first plaintext byte is odd after as many bytes as its second says (when the prefix holds
/// them), so both the whole and the split paths of the reader run.
let split: SecureFrameReader.PayloadSplit = { prefix in
    guard prefix.count >= 2, prefix[0] & 1 == 1 else { return nil }
    return Int(prefix[1]) <= prefix.count ? Int(prefix[1]) : nil
}

func fuzzFrames(_ payload: Slice<UnsafeBufferPointer<UInt8>>, pieceSize: Int) {
    let reader = SecureFrameReader(opener: SecureFrameOpener(key: frameKey), split: split)
    var failure: SecureFrameError?
    var opened = 0
    var offset = payload.startIndex
    while offset < payload.endIndex {
        let end = min(payload.endIndex, offset + pieceSize)
        do throws(SecureFrameError) {
            try reader.read(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: payload[offset..<end]))) { frame in
                precondition(failure == nil, "a failed reader opened a frame")
                precondition(frame.byteCount <= SecureFrame.maxPlaintextByteCount, "a frame over the limit opened")
                precondition(frame.payload.isEmpty || frame.head.count <= SecureFrameReader.prefixByteCount,
                             "a split outside the prefix")
                opened += SecureFrame.byteCount(plaintextByteCount: frame.byteCount)
            }
        } catch {
            if let failure { precondition(error == failure, "a failed reader changed its error") }
            failure = error
            precondition(!error.reason.isEmpty)
        }
        offset = end
        if failure == nil {
            precondition(opened + reader.partialFrameByteCount == offset - payload.startIndex, "bytes lost or invented")
        }
    }
    precondition(opened <= payload.count, "opened more bytes than arrived")
    if failure == nil {
        do throws(SecureFrameError) {
            try reader.finish()
            precondition(opened == payload.count, "finish passed with bytes left over")
        } catch {
            precondition(error == .truncated(byteCount: payload.count - opened), "finish: \(error)")
        }
    }
}

func fuzzHandshake(_ start: SecureChannelHandshake, _ payload: Slice<UnsafeBufferPointer<UInt8>>, pieceSize: Int) {
    var handshake = start
    _ = handshake.start()
    var endings = 0
    var offset = payload.startIndex
    while offset < payload.endIndex {
        let end = min(payload.endIndex, offset + pieceSize)
        var sent = false
        var established = false
        var failed = false
        for directive in handshake.receive(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: payload[offset..<end]))) {
            switch directive {
            case .send:
                precondition(endings == 0, "sent after the end")
                sent = true
            case .established:
                endings += 1
                established = true
            case .failed(let error):
                endings += 1
                failed = true
                precondition(!error.reason.isEmpty)
            }
        }
        // A side that fails sends nothing; an initiator sends only message 3, as it establishes.
        precondition(!(sent && failed), "sent bytes in the step that failed")
        precondition(handshake.role == .responder || !sent || established, "an initiator sent without establishing")
        offset = end
    }
    precondition(endings <= 1, "the handshake ended twice")
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzChannelFrameMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
