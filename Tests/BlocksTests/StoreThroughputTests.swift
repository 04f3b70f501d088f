import DHTCrypto
import Foundation
import Testing

@testable import Blocks

/// Rough throughput of the write and read paths against plain SHA-256 over the same bytes, in this build
/// configuration. Off by default (it is a measurement, not a check); `BLOCKS_BENCH_MB=256 swift test …` runs it.
@Suite struct StoreThroughputTests {
    static let megabytes = Int(ProcessInfo.processInfo.environment["BLOCKS_BENCH_MB"] ?? "") ?? 0

    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    @Test(.enabled(if: StoreThroughputTests.megabytes > 0))
    func importAndReadThroughput() throws {
        let total = Self.megabytes << 20
        var piece = [UInt8](repeating: 0, count: 1 << 20)
        var state: UInt64 = 1
        for index in piece.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            piece[index] = UInt8(truncatingIfNeeded: state >> 33)
        }
        /// Feeds `total` bytes: `piece` with every 64 KiB stamped with the piece number, so no two chunks repeat.
        func feed(_ body: ([UInt8]) throws -> Void) rethrows {
            var bytes = piece
            for number in 0..<(total >> 20) {
                for offset in stride(from: 0, to: bytes.count, by: 64 << 10) {
                    withUnsafeBytes(of: UInt64(number)) { for (index, byte) in $0.enumerated() { bytes[offset + index] = byte } }
                }
                try body(bytes)
            }
        }
        let mb = Double(total) / 1e6
        let sha = seconds { feed { _ = SHA256.hash($0) } }
        var onlyHash = BalancedDAGBuilder()
        let hashOnly = seconds {
            feed { onlyHash.append($0) { (_: Block) in } }
            _ = onlyHash.finish { (_: Block) in }
        }
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root)
            var builder = BalancedDAGBuilder()
            var result: ImportResult?
            let write = try seconds {
                let session = try store.beginSession()
                try feed { try builder.append($0, to: session) }
                result = try builder.finish(to: session)
                try session.close()
            }
            let root = try #require(result?.root)
            let read = try seconds {
                var reader = try DAGReader(root: root, store: store)
                try reader.forEachPiece { _ in }
            }
            print(
                """
                StoreThroughputTests (\(Self.megabytes) MiB): sha256 \(Int(mb / sha)) MB/s; \
                only-hash import \(Int(mb / hashOnly)) MB/s (\(String(format: "%.2f", sha / hashOnly))x sha256); \
                import to disk \(Int(mb / write)) MB/s (\(String(format: "%.2f", sha / write))x); \
                cat \(Int(mb / read)) MB/s
                """)
        }
    }
}
