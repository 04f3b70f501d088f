import Blocks
import FuzzMain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: the CAR v1 header decoder and section reader, importing into an in-memory store, must
/// throw or return, never trap.
///
/// Properties:
/// - a rejected CAR leaves nothing in the store (all or nothing);
/// - an accepted CAR, written back out from its header and blocks, reads back to the same header and blocks, and
///   every block it stored is there with its bytes;
/// - a header decoded from the input re-encodes to bytes that decode to the same header.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    if let header = try? CARHeader(decoding: bytes) {
        precondition((try? CARHeader(decoding: header.encoded())) == header, "CAR header round trip changed it")
    }

    let store = MemoryBlockStore()
    guard (try? CARImport.importCAR(CARMemorySource(bytes), into: store)) != nil else {
        precondition(store.count == 0, "a rejected CAR left blocks in the store")
        return 0
    }

    // Read it again section by section, then write what was read as a canonical CAR and read that.
    do {
        var reader = CARReader(CARMemorySource(bytes))
        let header = try reader.readHeader()
        var blocks: [Block] = []
        while let block = try reader.nextBlock() {
            precondition(store.get(block.cid) == block.bytes, "an imported block is missing or different")
            blocks.append(block)
        }
        let headerBytes = header.encoded()
        var rewritten = varint(headerBytes.count) + headerBytes
        for block in blocks {
            let cid = block.cid.bytes
            rewritten += varint(cid.count + block.bytes.count) + cid + block.bytes
        }
        var again = CARReader(CARMemorySource(rewritten))
        let headerAgain = try again.readHeader()
        precondition(headerAgain == header, "rewritten CAR header differs")
        for block in blocks {
            let blockAgain = try again.nextBlock()
            precondition(blockAgain == block, "rewritten CAR block differs")
        }
        let end = try again.nextBlock()
        precondition(end == nil, "rewritten CAR has extra sections")
    } catch {
        preconditionFailure("an imported CAR, or its rewrite, failed to read: \(error)")
    }
    return 0
}

private func varint(_ value: Int) -> [UInt8] {
    var output: [UInt8] = []
    var rest = UInt64(value)
    while rest >= 0x80 {
        output.append(UInt8(truncatingIfNeeded: rest) | 0x80)
        rest >>= 7
    }
    output.append(UInt8(rest))
    return output
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzCARMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
