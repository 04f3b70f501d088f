import AsyncHTTPClient
import Blocks
import Foundation
import NIOCore
import NIOHTTP1

/// The block repository routes (``BlockController``). Error answers are reported by their message alone: the
/// line `dhtnode` prints when it works on the repository directly. Imports and reads stream: nothing here holds
/// a whole file.
extension ControlClient {
    /// The deadline of repository calls: an import or a `gc` of a large repository takes as long as the disk
    /// needs, so only a daemon that stopped answering should end one.
    public static var repositoryTimeout: TimeAmount { .hours(24) }

    /// `POST /v1/add`: imports the bytes of `body` (`length` bytes when known) as one file.
    ///
    /// - Parameters:
    ///   - profile: the import profile's name (`unixfs-v0-2015` or `unixfs-v1-2025`).
    ///   - chunkSize: bytes per leaf, when not the profile's.
    public func add<Body: AsyncSequence & Sendable>(
        _ body: Body,
        length: Int64?,
        profile: String,
        chunkSize: Int?,
        pin: Bool,
        onlyHash: Bool = false
    ) async throws(ControlClientError) -> AddDocument where Body.Element == ByteBuffer {
        var query = "profile=\(profile)&pin=\(pin)&only-hash=\(onlyHash)"
        if let chunkSize { query += "&chunk-size=\(chunkSize)" }
        var request = makeRequest(.POST, "/v1/add?\(query)")
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.body = .stream(body, length: Self.bodyLength(length))
        return try await send(request, plainErrors: true, timeout: Self.repositoryTimeout)
    }

    /// `POST /v1/car`: imports the CAR v1 stream in `body`, all or nothing; pins its roots when `pin` is set.
    public func importCAR<Body: AsyncSequence & Sendable>(
        _ body: Body,
        length: Int64?,
        pin: Bool
    ) async throws(ControlClientError) -> CARImportDocument where Body.Element == ByteBuffer {
        var request = makeRequest(.POST, "/v1/car?pin=\(pin)")
        request.headers.add(name: "Content-Type", value: "application/vnd.ipld.car")
        request.body = .stream(body, length: Self.bodyLength(length))
        return try await send(request, plainErrors: true, timeout: Self.repositoryTimeout)
    }

    /// `POST /v1/fetch/{cid}`: has the daemon fetch what its repository lacks of the file under `root` from peers;
    /// returns the fetch's statistics (``FetchDocument/local`` when nothing was missing).
    public func fetch(_ root: CID, sources: HTTPSourceQuery = HTTPSourceQuery()) async throws(ControlClientError)
        -> FetchDocument
    {
        let query = sources.isEmpty ? "" : "?" + sources.queryItems.joined(separator: "&")
        return try await send(
            makeRequest(.POST, "/v1/fetch/\(root)\(query)"), plainErrors: true, timeout: Self.repositoryTimeout)
    }

    /// `GET /v1/fetches/{cid}`: what the daemon's last fetch of `root` took (by a `cat` streamed from peers, or a
    /// `fetch`); ``ControlClientError/apiCode`` `no_fetch` when it holds none.
    public func lastFetch(of root: CID) async throws(ControlClientError) -> FetchDocument {
        try await call(.GET, "/v1/fetches/\(root)", plainErrors: true, timeout: Self.repositoryTimeout)
    }

    /// `GET /v1/cat/{cid}`: streams the file under `root` (or the bytes `range`, `A-B` or `A-`, of it).
    ///
    /// `start` receives the byte count to come before the first piece; `write` receives the pieces in order.
    ///
    /// - Throws: ``ControlClientError`` for an error answer or a daemon that stops before the last byte (with the
    ///   reason the daemon gives, ``streamFailure(_:)``); what `start` or `write` throws, as is.
    public func cat(
        _ root: CID,
        range: String?,
        sources: HTTPSourceQuery = HTTPSourceQuery(),
        start: (_ byteCount: UInt64) throws -> Void,
        write: (ByteBuffer) throws -> Void
    ) async throws {
        let items = (range.map { ["range=\($0)"] } ?? []) + sources.queryItems
        let query = items.isEmpty ? "" : "?" + items.joined(separator: "&")
        let response = try await streamedAnswer(makeRequest(.GET, "/v1/cat/\(root)\(query)"))
        let expected = response.headers.first(name: "Content-Length").flatMap { UInt64($0) }
        let streamID = response.headers.first(name: "X-Stream-Id").flatMap { UInt64($0) }
        // Streamed from peers, the answer has no length, but says the file's size once the root arrived.
        let fileSize = range == nil ? response.headers.first(name: "X-File-Size").flatMap { UInt64($0) } : nil
        try start(expected ?? fileSize ?? 0)
        var received: UInt64 = 0
        var iterator = response.body.makeAsyncIterator()
        while true {
            let piece: ByteBuffer?
            do {
                piece = try await iterator.next()
            } catch {
                throw await interrupted(root, received: received, expected: expected, streamID: streamID, error)
            }
            guard let piece else { break }
            received += UInt64(piece.readableBytes)
            try write(piece)
        }
        if let expected, received != expected {
            throw await interrupted(root, received: received, expected: expected, streamID: streamID, nil)
        }
    }

    /// The answer to `request` whose body is to be streamed: its status line was 200.
    ///
    /// - Throws: ``ControlClientError`` for a daemon that does not answer, or an error answer (its message alone).
    func streamedAnswer(_ request: HTTPClientRequest) async throws(ControlClientError) -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: Self.repositoryTimeout)
        } catch {
            throw unreachable(error)
        }
        guard response.status == .ok else {
            let bytes = (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
            throw failure(response.status, Data(bytes.readableBytesView), plainErrors: true)
        }
        return response
    }

    /// `GET /v1/failures/{id}`: why the streamed answer with `X-Stream-Id: id` stopped after its status went out;
    /// `nil` when the daemon knows of no failure of it (``ControlClientError/apiCode`` `no_failure`).
    public func streamFailure(_ id: UInt64) async throws(ControlClientError) -> StreamFailureDocument? {
        do {
            return try await call(.GET, "/v1/failures/\(id)", plainErrors: true, timeout: .seconds(10))
        } catch where error.apiCode == "no_failure" {
            return nil
        }
    }

    /// `GET /v1/blocks/{cid}`: the block's bytes (verified by the daemon, and again here); `nil` when the daemon
    /// does not have it (with `fetching`, when nobody sent it within the daemon's fetch timeout either).
    public func block(_ cid: CID, fetching: Bool = false) async throws(ControlClientError) -> Block? {
        let request = makeRequest(.GET, "/v1/blocks/\(cid)" + (fetching ? "?fetch=true" : ""))
        let status: HTTPResponseStatus
        let bytes: ByteBuffer
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            status = response.status
            bytes = try await response.body.collect(upTo: Block.maxByteCount)
        } catch {
            throw unreachable(error)
        }
        let data = Data(bytes.readableBytesView)
        if status == .notFound { return nil }
        guard status == .ok else { throw failure(status, data, plainErrors: true) }
        do {
            return try Block(verifying: Array(data), as: cid)
        } catch {
            throw ControlClientError(
                .badResponse,
                status: 200,
                "the daemon sent wrong bytes for block \(cid): \(error)"
            )
        }
    }

    /// `POST /v1/blocks?codec=C`: stores one block (unpinned).
    public func putBlock(_ bytes: [UInt8], codec: String) async throws(ControlClientError) -> BlockDocument {
        try await call(.POST, "/v1/blocks?codec=\(codec)", body: bytes, plainErrors: true, timeout: Self.repositoryTimeout)
    }

    /// `DELETE /v1/blocks/{cid}`; ``ControlClientError/apiCode`` `pinned` for a pinned root.
    public func removeBlock(_ cid: CID) async throws(ControlClientError) -> BlockDocument {
        try await call(.DELETE, "/v1/blocks/\(cid)", plainErrors: true, timeout: Self.repositoryTimeout)
    }

    /// `GET /v1/repo/verify`.
    public func verifyRepository() async throws(ControlClientError) -> VerifyDocument {
        try await call(.GET, "/v1/repo/verify", plainErrors: true, timeout: Self.repositoryTimeout)
    }

    /// `GET /v1/pins`.
    public func pins() async throws(ControlClientError) -> PinsDocument {
        try await call(.GET, "/v1/pins", plainErrors: true, timeout: Self.repositoryTimeout)
    }

    /// `POST /v1/pins/{cid}`: pins `root` recursively.
    public func pin(_ root: CID) async throws(ControlClientError) -> PinDocument {
        try await call(.POST, "/v1/pins/\(root)", plainErrors: true, timeout: Self.repositoryTimeout)
    }

    /// `DELETE /v1/pins/{cid}`; ``ControlClientError/apiCode`` `not_pinned` when `root` was not pinned.
    public func unpin(_ root: CID) async throws(ControlClientError) -> PinDocument {
        try await call(.DELETE, "/v1/pins/\(root)", plainErrors: true, timeout: Self.repositoryTimeout)
    }

    /// `POST /v1/gc`.
    public func gc() async throws(ControlClientError) -> GCDocument {
        try await call(.POST, "/v1/gc", plainErrors: true, timeout: Self.repositoryTimeout)
    }

    /// `GET /v1/repo/stat`.
    public func repoStat() async throws(ControlClientError) -> RepoStatDocument {
        try await call(.GET, "/v1/repo/stat", plainErrors: true, timeout: Self.repositoryTimeout)
    }

    private static func bodyLength(_ length: Int64?) -> HTTPClientRequest.Body.Length {
        guard let length else { return .unknown }
        return .known(length)
    }

    /// The error for an answer that ended early: with the daemon's reason when it gives one (it logged it too),
    /// else what the connection said.
    private func interrupted(
        _ root: CID,
        received: UInt64,
        expected: UInt64?,
        streamID: UInt64?,
        _ error: (any Error)?
    ) async -> ControlClientError {
        let of = expected.map { " of \($0)" } ?? ""
        let stopped = "the dhtnode daemon (PID \(endpoint.pid)) stopped sending \(root) after \(received)\(of) bytes"
        if let streamID, let failure = try? await streamFailure(streamID) {
            return ControlClientError(
                .refused,
                apiCode: "stream_failed",
                "\(stopped): \(UntrustedText.controlsEscaped(failure.reason, limit: 2 * UntrustedText.logLimit))"
            )
        }
        let reason = error.map { ": \($0)" } ?? ""
        return ControlClientError(
            .unreachable,
            "\(stopped)\(reason) (a missing or corrupt block: see the daemon's log)"
        )
    }
}

extension ControlClient {
    /// `POST /v1/precache/{cid}`: queues the DAG under `root` for a background fetch into the cache; with `wait`,
    /// answers once it ended (no time limit: a large DAG takes what it takes).
    public func precache(_ root: CID, wait: Bool) async throws(ControlClientError) -> PrecacheItemDocument {
        try await call(
            .POST, "/v1/precache/\(root)?wait=\(wait)", plainErrors: true, timeout: wait ? Self.repositoryTimeout : nil)
    }

    /// `GET /v1/precache`: the precache requests and the cache.
    public func precacheStatus() async throws(ControlClientError) -> PrecacheDocument {
        try await call(.GET, "/v1/precache", plainErrors: true)
    }
}
