import Blocks
import DHTNode
import Gateway
import Hummingbird
import NIOCore

/// The bytes of one file range as the gateway sends them: read from the repository when every block is stored,
/// else streamed from peers as they are verified (the same fetch as `GET /v1/cat`, so the first bytes leave before
/// the file is complete).
final class FileBytes: @unchecked Sendable {
    private enum Source {
        /// The piece after the one last returned is read (and hashed) on the pool while that one is written.
        case repository(BlockRepository, FileReadJob, readAhead: Task<ByteBuffer?, any Error>?)
        case peers(ContentFetch, FetchByteStream.AsyncIterator)
    }

    // Used by one task at a time: the handler reads the first piece, then the body's writer the rest.
    private var source: Source

    private init(_ source: Source) { self.source = source }

    /// Opens `range` of `file`: from the repository when it holds every block (or peers may not be asked),
    /// else from peers, searching for the providers of `dagRoot`.
    static func open(
        _ file: CID,
        range: Range<UInt64>,
        dagRoot: CID,
        repository: BlockRepository,
        node: Node?,
        onlyIfCached: Bool
    ) async throws -> FileBytes {
        if let node, !onlyIfCached, try await repository.missingBlock(under: file) != nil {
            let fetch = try await GatewayBlocks.fetching(file) {
                try await node.cat(file, range: range, providersOf: dagRoot)
            }
            return FileBytes(.peers(fetch, fetch.bytes.makeAsyncIterator()))
        }
        let job = try await repository.openFile(file, start: range.lowerBound, end: range.upperBound)
        return FileBytes(.repository(repository, job, readAhead: nil))
    }

    /// Streams a fetch already started from peers, whose first piece was read.
    init(streaming fetch: ContentFetch, _ iterator: FetchByteStream.AsyncIterator) {
        self.source = .peers(fetch, iterator)
    }

    /// The next piece; `nil` at the end of the range.
    func next() async throws -> ByteBuffer? {
        switch source {
        case .repository(let repository, let job, let readAhead):
            let piece: ByteBuffer?
            if let readAhead { piece = try await readAhead.value } else { piece = try await repository.read(job) }
            let next = job.isFinished ? nil : Task { try await repository.read(job) }
            source = .repository(repository, job, readAhead: next)
            return piece
        case .peers(let fetch, var iterator):
            let piece = try await GatewayBlocks.fetching(fetch.root) { try await iterator.next() }
            source = .peers(fetch, iterator)
            return piece.map { ByteBuffer(bytes: $0) }
        }
    }

    /// A response body of these bytes, `first` (already read) before the rest. When the client goes away or a
    /// block cannot be had, the fetch stops and the connection closes before `contentLength` bytes (or before the
    /// chunked body's end), so nobody takes a short body for the file; `stream` logs why.
    func body(contentLength: Int?, first: ByteBuffer?, stream: StreamedResponse) -> ResponseBody {
        ResponseBody(contentLength: contentLength) { writer in
            do {
                if let first, first.readableBytes > 0 { try await stream.write(first, to: &writer) }
                while let piece = try await self.next() { try await stream.write(piece, to: &writer) }
            } catch {
                await self.cancel()
                throw await stream.failed(error)
            }
            try await writer.finish(nil)
        }
    }

    /// Stops a fetch from peers, or a read ahead, that nobody reads any more.
    func cancel() async {
        switch source {
        case .peers(let fetch, _): await fetch.cancel()
        case .repository(_, _, let readAhead): readAhead?.cancel()
        }
    }
}
