import Blocks
import DHTNode
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// `POST /v1/get/{cid}?output=PATH&partial=TEMP`: the daemon writes the file `cid` to `PATH` itself, for a client
/// on the same machine (`dhtnode get -o`), so that its bytes cross no socket after the fetch and are written once.
///
/// From peers, the fetch keeps the file's leaves as references into `PATH` (``Node/catReferencingLeaves(_:sources:)``)
/// instead of block files; from the repository, the file is copied out. The bytes go to `TEMP` (default
/// `PATH.partial`), which is synced and renamed to `PATH` once every block checked out, and removed on any failure.
/// The status goes out with the first bytes (errors before it are answered as `GET /v1/cat` answers them); then the
/// body is JSON lines of ``OutputProgressDocument``, at most about ten a second, the last one `done` or `error`. A
/// client that goes away cancels the fetch.
extension BlockController {
    /// Bytes gathered before one write of the output file on the thread pool.
    static var outputWriteBytes: Int { 4 << 20 }

    func get(_ request: Request, _ context: Context) async throws -> Response {
        let root = try Self.cid(context)
        guard let output = request.uri.queryParameters.get("output").map({ String($0) }), output.hasPrefix("/") else {
            throw APIError.badRequest("output must be an absolute path")
        }
        let partial = request.uri.queryParameters.get("partial").map { String($0) } ?? output + ".partial"
        guard partial.hasPrefix("/"), partial != output else {
            throw APIError.badRequest("partial must be an absolute path other than output")
        }
        if let node, try await Self.calling({ try await self.repository.missingBlock(under: root) }) != nil {
            return try await getFromPeers(root, to: output, partial: partial, sources: Self.httpSources(request), node: node)
        }
        return try await getFromRepository(root, to: output, partial: partial)
    }

    private func getFromPeers(
        _ root: CID, to output: String, partial: String, sources: HTTPSourceQuery, node: Node
    ) async throws -> Response {
        let defaults = node.configuration.content?.httpSources ?? FetchSources()
        let fetch = try await node.catReferencingLeaves(root, sources: try sources.sources(over: defaults))
        // Moved into the body's closure, which runs once after this function returned: never used from two places.
        let started = try await firstBytes(of: fetch)
        nonisolated(unsafe) var pieces = started.iterator
        let first = started.first
        let file = try await openOutput(output, partial: partial) { await fetch.cancel() }
        let fileSize = (await fetch.progress() ?? fetch.statistics)?.fileSize
        let repository = repository
        let recentFetches = recentFetches
        return Self.progressResponse(file: file, fileSize: fileSize) { append in
            if let first { try await append(first) }
            while let piece = try await pieces.next() { try await append(piece) }
        } completed: {
            // The file is the user's now: its leaves stay in the repository as ranges of it. Failing that, the
            // file is still whole; the blocks are only not kept.
            try? await repository.addReferences(fetch.leafReferences, inFile: output, name: root.v1.description)
            await recentFetches.record(fetch)
        } failed: {
            await fetch.cancel()
            await recentFetches.record(fetch)
        }
    }

    private func getFromRepository(_ root: CID, to output: String, partial: String) async throws -> Response {
        let job = try await Self.calling { () async throws -> FileReadJob in
            guard case .file? = try await self.repository.node(root) else {
                throw APIError(.badRequest, code: "not_a_file", message: "\(root) is not a file")
            }
            return try await self.repository.openFile(root)
        }
        await recentFetches.record(.local(root.description), for: root)
        let file = try await openOutput(output, partial: partial) {}
        let repository = repository
        return Self.progressResponse(file: file, fileSize: job.fileSize) { append in
            while let piece = try await repository.read(job) { try await append(Array(piece.readableBytesView)[...]) }
        } completed: {
        } failed: {
        }
    }

    private func openOutput(_ output: String, partial: String, onFailure: () async -> Void) async throws -> OutputFile {
        do {
            return try await repository.offload { try OutputFile(path: output, partial: partial) }
        } catch {
            await onFailure()
            throw APIError(.forbidden, code: "cannot_write", message: "\(error)")
        }
    }

    /// The JSON-lines answer of a file being written: `produce` hands the file's bytes in order to its argument,
    /// which writes them in batches of ``outputWriteBytes`` on the thread pool.
    private static func progressResponse(
        file: OutputFile,
        fileSize: UInt64?,
        produce: @escaping @Sendable (_ append: (ArraySlice<UInt8>) async throws -> Void) async throws -> Void,
        completed: @escaping @Sendable () async -> Void,
        failed: @escaping @Sendable () async -> Void
    ) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/x-ndjson"],
            body: ResponseBody { writer in
                let encoder = JSONEncoder()
                func line(_ document: OutputProgressDocument) throws -> ByteBuffer {
                    try JSONLines.line(document, encoder: encoder)
                }
                var written: UInt64 = 0
                var batch: [ArraySlice<UInt8>] = []
                var batchBytes = 0
                var reported = ContinuousClock.now
                func writeBatch() async throws {
                    let pieces = batch
                    batch = []
                    try await NIOThreadPool.singleton.runIfActive { try file.append(pieces) }
                    written += UInt64(batchBytes)
                    batchBytes = 0
                }
                do {
                    try await writer.write(try line(OutputProgressDocument(bytes: 0, fileSize: fileSize)))
                    try await produce { piece in
                        batch.append(piece)
                        batchBytes += piece.count
                        if batchBytes >= outputWriteBytes { try await writeBatch() }
                        // Also how a client that went away is noticed: the write fails, and the fetch is cancelled.
                        if reported.duration(to: .now) >= .milliseconds(100) {
                            reported = .now
                            let bytes = written + UInt64(batchBytes)
                            try await writer.write(try line(OutputProgressDocument(bytes: bytes, fileSize: fileSize)))
                        }
                    }
                    if batchBytes > 0 { try await writeBatch() }
                    try await NIOThreadPool.singleton.runIfActive { try file.finish() }
                    await completed()
                    try await writer.write(try line(OutputProgressDocument(bytes: written, fileSize: fileSize ?? written, done: true)))
                } catch {
                    file.discard()
                    await failed()
                    let detail: ErrorDocument.Detail =
                        if let error = error as? APIError {
                            .init(code: error.code, message: error.message)
                        } else if error is OutputFile.Failure {
                            .init(code: "cannot_write", message: "\(error)")
                        } else {
                            .init(code: "fetch_failed", message: "\(error)")
                        }
                    try? await writer.write(try line(OutputProgressDocument(bytes: written, fileSize: fileSize, error: detail)))
                }
                try await writer.finish(nil)
            }
        )
    }
}
