import Blocks
import Exchange
import Foundation

/// How a fetch started by ``Node/fetch(_:toFile:)`` is going.
public struct FetchProgress: Sendable {
    /// File bytes written so far.
    public var bytes: UInt64
    /// The file's size, once its root arrived.
    public var total: UInt64?
    /// Peers that have sent blocks so far.
    public var peers: Int
    /// The fetch's final statistics, in the last event only.
    public var statistics: FetchStatistics?
}

extension Node {
    /// Fetches the file `root` into the file at `path` while its blocks arrive (every block verified, and stored
    /// in the node's store as well), yielding how it goes: with the first bytes, then at most ten times a second,
    /// and a last event with the fetch's statistics. The bytes go to a temporary file next to `path`, renamed to `path` once
    /// the whole file checked out: a failed or cancelled fetch leaves `path` untouched. Ending the iteration early
    /// cancels the fetch.
    ///
    /// ```swift
    /// for try await progress in node.fetch(root, toFile: "video.mp4") {
    ///     print("\(progress.bytes) of \(progress.total.map(String.init) ?? "?") bytes")
    /// }
    /// ```
    ///
    /// - Throws (from the stream): what ``cat(_:range:)`` and its bytes throw; a file error naming the path.
    public func fetch(_ root: CID, toFile path: String) -> AsyncThrowingStream<FetchProgress, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: FetchProgress.self)
        let work = Task {
            let temporary = path + ".\(ProcessInfo.processInfo.processIdentifier).partial"
            do {
                let fetch = try await self.cat(root)
                guard FileManager.default.createFile(atPath: temporary, contents: nil),
                    let handle = FileHandle(forWritingAtPath: temporary)
                else {
                    await fetch.cancel()
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
                }
                var progress = FetchProgress(bytes: 0, total: nil, peers: 0, statistics: nil)
                // The first bytes are reported at once (they carry the file's size), then ten times a second.
                var reported = ContinuousClock.now - .seconds(1)
                do {
                    defer { try? handle.close() }
                    for try await piece in fetch.bytes {
                        try handle.write(contentsOf: piece)
                        progress.bytes += UInt64(piece.count)
                        if reported.duration(to: .now) >= .milliseconds(100) {
                            reported = .now
                            if let now = await fetch.progress() {
                                progress.total = now.fileSize
                                progress.peers = now.peers.count
                            }
                            continuation.yield(progress)
                        }
                    }
                    try handle.synchronize()
                } catch {
                    await fetch.cancel()
                    throw error
                }
                try await fetch.settled()
                try FileManager.default.moveItem(atPath: temporary, toPath: path)
                progress.statistics = fetch.statistics
                progress.total = fetch.statistics?.fileSize ?? progress.bytes
                progress.peers = fetch.statistics?.peers.count ?? progress.peers
                continuation.yield(progress)
                continuation.finish()
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in work.cancel() }
        return stream
    }
}
