import Foundation
import Testing

@testable import Blocks

#if canImport(Glibc)
import Glibc
#endif

/// Kills a writing process with SIGKILL at random moments and checks what it leaves: every block file matches its
/// hash, every pinned file reads back whole, the lock is free, GC and a new import complete.
///
/// The writer is this test binary run again with `BLOCKS_CRASH_REPO` set, which enables
/// ``writerUntilKilled()`` (and only that test, through `--filter`). It imports 1 MiB files in 16 KiB chunks through
/// batched sessions, pins every other one and runs GC every third, until it is killed; it creates `../ready` next
/// to the repository when it starts writing, and the kill comes 0-250 ms after that.
@Suite struct CrashSafetyTests {
    static let repoVariable = "BLOCKS_CRASH_REPO"
    static let seedVariable = "BLOCKS_CRASH_SEED"
    static let profile: ImportProfile = {
        guard let profile = try? ImportProfile(chunkSize: 16 * 1024, maxLinks: 8, name: "crash") else {
            fatalError("crash profile is valid")
        }
        return profile
    }()

    /// 1 MiB + a bit of pseudo-random bytes, made once per process.
    static let base: [UInt8] = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<(1 << 20) + 777).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }()

    /// File `number` of writer `seed`: ``base`` with every 16 KiB chunk stamped with (seed, number, chunk), so no
    /// two files share a block.
    static func file(seed: Int, number: Int) -> [UInt8] {
        var bytes = base
        for (index, offset) in stride(from: 0, to: bytes.count, by: 16 * 1024).enumerated() {
            for (position, value) in [seed, number, index].enumerated() {
                bytes[offset + 4 * position] = UInt8(truncatingIfNeeded: value)
                bytes[offset + 4 * position + 1] = UInt8(truncatingIfNeeded: value >> 8)
            }
        }
        return bytes
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[CrashSafetyTests.repoVariable] != nil))
    func writerUntilKilled() throws {
        let environment = ProcessInfo.processInfo.environment
        let path = try #require(environment[Self.repoVariable])
        let seed = Int(environment[Self.seedVariable] ?? "0") ?? 0
        let store = try FileBlockStore(path: path)
        _ = Self.base
        // Tell the parent that writing starts now.
        try overwriteFile(path + "/../ready", with: [])
        let deadline = Date().addingTimeInterval(20)  // In case the parent is gone.
        var number = 0
        while Date() < deadline {
            let session = try store.beginSession(policy: .batched(maxBlocks: 16, maxBytes: 1 << 20))
            let result = try BalancedDAGBuilder.importBytes(
                Self.file(seed: seed, number: number), profile: Self.profile, to: session)
            try session.flush()
            if number % 2 == 0 { try store.pin(result.root) }
            try session.close()
            if number % 3 == 2 { _ = try store.gc() }
            number += 1
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/exe")))
    func killingAWriterAtRandomMomentsNeverLeavesABadBlock() throws {
        let executable = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        var random = SystemRandomNumberGenerator()
        try withTemporaryDirectory { folder in
            let root = folder + "/repo"
            let ready = folder + "/ready"
            var killedMidWrite = 0
            for round in 0..<20 {
                let child = Process()
                child.executableURL = URL(fileURLWithPath: executable)
                child.arguments = ["--testing-library", "swift-testing", "--filter", "CrashSafetyTests/writerUntilKilled"]
                var environment = ProcessInfo.processInfo.environment
                environment[Self.repoVariable] = root
                environment[Self.seedVariable] = String(round)
                child.environment = environment
                child.standardOutput = FileHandle.nullDevice
                child.standardError = FileHandle.nullDevice
                try? FileManager.default.removeItem(atPath: ready)
                try child.run()
                for _ in 0..<1_000 where !FileManager.default.fileExists(atPath: ready) { usleep(5_000) }
                usleep(UInt32.random(in: 0...250_000, using: &random))
                kill(child.processIdentifier, SIGKILL)
                child.waitUntilExit()
                #expect(child.terminationReason == .uncaughtSignal, "round \(round): the writer ended before the kill")

                // The kernel released the lock with the process.
                let store = try FileBlockStore(path: root)
                let stat = try store.stat()
                if stat.temporaryFileCount > 0 { killedMidWrite += 1 }
                let report = try store.verify()
                #expect(report.isHealthy, "round \(round): \(report.corrupt)")
                for pin in try store.pins() {
                    var reader = try DAGReader(root: pin, store: store)
                    _ = try reader.readAll()
                }
                _ = try store.gc()
                #expect(try store.stat().temporaryFileCount == 0)
            }
            print("CrashSafetyTests: 20 kills, \(killedMidWrite) left temporary files, \(try FileBlockStore(path: root, mode: .readOnly).pins().count) files pinned")

            // Importing again completes and reads back.
            let store = try FileBlockStore(path: root)
            let bytes = Self.file(seed: 0, number: 0)
            let session = try store.beginSession()
            let result = try BalancedDAGBuilder.importBytes(bytes, profile: Self.profile, to: session)
            try session.flush()
            try store.pin(result.root)
            try session.close()
            var reader = try DAGReader(root: result.root, store: store)
            #expect(try reader.readAll() == bytes)
        }
    }
}
