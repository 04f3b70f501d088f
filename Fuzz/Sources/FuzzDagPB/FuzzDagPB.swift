import Blocks
import FuzzMain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: the dag-pb (`PBNode`) and UnixFS (`UnixFSData`) decoders, and the file walk that reads a
/// root block with them, must throw or return, never trap.
///
/// Round trips: a decoded node encodes to bytes that decode to the same node, and encoding is stable from then on
/// (the encoder writes the one canonical form, so decode(encode(x)) re-encodes identically); the same for the
/// UnixFS `Data` message, whether it comes straight from the input or from a node's `Data` field.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    if let node = try? PBNode(decoding: bytes) {
        let encoded = node.encoded()
        guard let again = try? PBNode(decoding: encoded) else {
            preconditionFailure("the encoding of a decoded PBNode does not decode")
        }
        precondition(again == node, "PBNode round trip changed the node")
        precondition(again.encoded() == encoded, "PBNode encoding is not stable")
        if let payload = node.data { checkUnixFS(payload) }
        walk(rootBytes: bytes)
    }
    checkUnixFS(bytes)
    return 0
}

private func checkUnixFS(_ bytes: [UInt8]) {
    guard let message = try? UnixFSData(decoding: bytes) else { return }
    let encoded = message.encoded()
    guard let again = try? UnixFSData(decoding: encoded) else {
        preconditionFailure("the encoding of a decoded UnixFS Data does not decode")
    }
    precondition(again == message, "UnixFS Data round trip changed the message")
    precondition(again.encoded() == encoded, "UnixFS Data encoding is not stable")
}

/// Opens the node as a file root and steps the walk until it needs a block (none can be delivered here).
private func walk(rootBytes: [UInt8]) {
    let root = CID.dagPB(Multihash(hashing: rootBytes))
    guard var walker = try? FileDAGWalker(root: root, rootBytes: rootBytes) else { return }
    var delivered: UInt64 = 0
    for _ in 0..<1_000 {
        switch walker.next() {
        case .bytes(let piece):
            precondition(!piece.isEmpty, "the walk returned an empty piece")
            delivered += UInt64(piece.count)
            precondition(delivered <= walker.fileSize, "the walk returned more bytes than the file holds")
        case .need, .finished: return
        }
    }
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzDagPBMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
