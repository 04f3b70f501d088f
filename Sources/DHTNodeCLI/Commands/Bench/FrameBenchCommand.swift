import ArgumentParser
import Blocks
import DHTCrypto
import Exchange
import Foundation
import SecureChannel

#if canImport(Glibc)
import Glibc
#endif

/// `dhtnode bench frames`: the secure channel's per-block CPU cost in one thread, with no socket: every block is
/// sealed into a `BLOCK` frame, the frame is cut into reads, and the reads are opened into the block's array again.
/// Two paths alternate round by round in the same process:
/// - "gathered", the older path, the baseline: the sender joins header and block into one plaintext (a copy), the
///   receiver gathers a frame split over reads into a buffer of its size (a copy), opens it in place, and copies
///   the block's bytes out of the plaintext (a copy);
/// - "in place", the path the daemon runs: the sender seals header and block from where they lie, the receiver's
///   `SecureFrameReader` decrypts each read where it lies into the block's own array.
/// Both decrypt and authenticate every byte; the difference is the copies (and the buffers they need). The
/// allocator is set up as in the daemon (``MemoryTuning/forDaemon()``).
struct FrameBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames",
        abstract: "CPU per MiB of sealing and opening BLOCK frames: gathered and copied, against in place.",
        discussion: """
            Prints, per cipher, the median over the rounds of each path's thread CPU time per MiB and its \
            throughput on one core, and the ratio in place / gathered (above 1: in place is faster). Every \
            opened block is compared with the one sent.
            """
    )

    @Option(help: "MiB of blocks per path and round.")
    var mebibytes: Int = 256

    @Option(name: .customLong("block-size"), help: "Block size in bytes.")
    var blockSize: Int = 262_144

    @Option(name: .customLong("read-size"), help: "Bytes per read the frames are cut into (a socket read).")
    var readSize: Int = 131_072

    @Flag(help: "Print one JSON object: the parameters and, per cipher, milliseconds of CPU per MiB on each path.")
    var json = false

    @Option(help: "Rounds; the paths alternate within each round.")
    var rounds: Int = 5

    func validate() throws {
        guard (1...4096).contains(mebibytes) else { throw ValidationError("--mebibytes must be in 1...4096") }
        guard (1...Block.maxByteCount).contains(blockSize) else {
            throw ValidationError("--block-size must be in 1...\(Block.maxByteCount)")
        }
        guard readSize >= 1 else { throw ValidationError("--read-size must be at least 1") }
        guard (1...100).contains(rounds) else { throw ValidationError("--rounds must be in 1...100") }
    }

    func run() throws {
        // The daemon's allocator settings: block-sized buffers are reused from the heap, not mapped afresh.
        MemoryTuning.forDaemon()
        let blocks = (0..<4).map { seed in
            (0..<blockSize).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ seed &* 7 &+ $0 >> 9) }
        }
        let cids = try blocks.map { try Block(codec: .raw, hashing: $0).cid }
        let count = mebibytes * 1_048_576 / blockSize
        if !json {
            print("frames: \(count) blocks of \(blockSize) bytes per path and round (\(mebibytes) MiB), reads of \(readSize) bytes, \(rounds) rounds")
        }
        var results: [FrameBenchResult] = []
        for cipher in AEADCipher.available {
            let key = try AEADKey(cipher: cipher, bytes: [UInt8](repeating: 0x33, count: 32))
            var gathered: [Double] = []
            var inPlace: [Double] = []
            for _ in 0..<rounds {
                gathered.append(try Self.cpuSeconds { try gatheredPath(key: key, blocks: blocks, cids: cids, count: count) })
                inPlace.append(try Self.cpuSeconds { try inPlacePath(key: key, blocks: blocks, cids: cids, count: count) })
            }
            let mib = Double(count * blockSize) / 1_048_576
            let g = Self.median(gathered), p = Self.median(inPlace)
            results.append(
                FrameBenchResult(
                    cipher: cipher.description, gatheredMillisecondsPerMebibyte: g / mib * 1000,
                    inPlaceMillisecondsPerMebibyte: p / mib * 1000, inPlaceOverGatheredThroughput: g / p))
            guard !json else { continue }
            print(String(format: "%@: gathered %.3f ms/MiB (%.0f MB/s), in place %.3f ms/MiB (%.0f MB/s), in place / gathered throughput %.2f",
                         cipher.description, g / mib * 1000, Double(count * blockSize) / g / 1e6,
                         p / mib * 1000, Double(count * blockSize) / p / 1e6, g / p))
        }
        if json {
            try JSONOutput.print(
                FrameBenchReport(
                    blocks: count, blockSizeBytes: blockSize, readSizeBytes: readSize, rounds: rounds, ciphers: results))
        }
    }

    /// The older path, the baseline: joined plaintext, gathered frames, a copy out of the plaintext.
    private func gatheredPath(key: AEADKey, blocks: [[UInt8]], cids: [CID], count: Int) throws {
        var sealer = SecureFrameSealer(key: key)
        var opener = SecureFrameOpener(key: key)
        for index in 0..<count {
            let which = index % blocks.count
            var plaintext: [UInt8] = []
            ExchangeMessage.appendBlockHeader(cids[which], to: &plaintext)
            let headerCount = plaintext.count
            plaintext.append(contentsOf: blocks[which])
            let frame = try sealer.seal(plaintext)
            // The frame arrives in reads; one that holds all of it is opened from it, else it is gathered.
            var gatheredFrame: [UInt8] = []
            var opened: [UInt8] = []
            var offset = 0
            while offset < frame.count {
                let end = min(frame.count, offset + readSize)
                if offset == 0 && end == frame.count {
                    opened = try frame.withUnsafeBytes { bytes in try Self.open(&opener, UnsafeRawBufferPointer(rebasing: bytes[...])) }
                } else {
                    if gatheredFrame.isEmpty { gatheredFrame.reserveCapacity(frame.count) }
                    gatheredFrame.append(contentsOf: frame[offset..<end])
                }
                offset = end
            }
            if !gatheredFrame.isEmpty {
                opened = try gatheredFrame.withUnsafeBytes { try Self.open(&opener, $0) }
            }
            let block = Array(opened[headerCount...])
            guard block == blocks[which] else { throw ValidationError("block \(index) came back altered") }
        }
    }

    /// The daemon's path: two-piece sealing, the reader decrypting each read into the block's array.
    private func inPlacePath(key: AEADKey, blocks: [[UInt8]], cids: [CID], count: Int) throws {
        var sealer = SecureFrameSealer(key: key)
        let reader = SecureFrameReader(opener: SecureFrameOpener(key: key), split: ExchangeMessage.blockBytesOffset(in:))
        for index in 0..<count {
            let which = index % blocks.count
            var header: [UInt8] = []
            ExchangeMessage.appendBlockHeader(cids[which], to: &header)
            let frame = try sealer.seal(SecureFramePlaintext(head: header, payload: blocks[which]))
            var received: SecureFramePlaintext?
            var offset = 0
            while offset < frame.count {
                let end = min(frame.count, offset + readSize)
                try reader.read(frame[offset..<end]) { received = $0 }
                offset = end
            }
            guard let received, received.payload == blocks[which] else {
                throw ValidationError("block \(index) came back altered")
            }
        }
    }

    /// Opens one whole frame into a new array (in place in a copy of it, as the NIO handler did).
    private static func open(_ opener: inout SecureFrameOpener, _ frame: UnsafeRawBufferPointer) throws -> [UInt8] {
        let length = frame.count - SecureFrame.headerByteCount - AEADCipher.tagByteCount
        var failure: (any Error)?
        let plaintext = [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
            do {
                initialized = try opener.open(frame: frame, into: UnsafeMutableRawBufferPointer(output))
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return plaintext
    }

    /// The calling thread's CPU time spent in `body`.
    private static func cpuSeconds(_ body: () throws -> Void) throws -> Double {
        func now() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        let start = now()
        try body()
        return now() - start
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// `bench frames --json`.
private struct FrameBenchReport: Encodable {
    var blocks: Int
    var blockSizeBytes: Int
    var readSizeBytes: Int
    var rounds: Int
    var ciphers: [FrameBenchResult]
}

/// One cipher's medians in `bench frames --json`.
private struct FrameBenchResult: Encodable {
    var cipher: String
    var gatheredMillisecondsPerMebibyte: Double
    var inPlaceMillisecondsPerMebibyte: Double
    var inPlaceOverGatheredThroughput: Double
}
