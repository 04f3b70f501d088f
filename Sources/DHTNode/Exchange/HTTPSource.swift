import AsyncHTTPClient
import Blocks
import DHTCrypto
import Exchange
import Foundation
import NIOCore
import NIOHTTP1

/// An HTTP server as a source of blocks for the exchange, which asks it as it asks a peer:
/// - a trustless gateway (ipfs/specs `http-gateways/trustless-gateway`) answers each `WANT_BLOCK` with
///   `GET {url}/ipfs/{cid}?format=raw`;
/// - an origin (BEP 19's web seed: a URL that serves the file's bytes) answers a `WANT_BLOCK` for a raw leaf of the
///   file with `GET {url}` and `Range` over the leaf's bytes, where the fetch's DAG places it
///   (``Exchange/ExchangeInstance/leafPlacement(of:askedOf:)``); the DAG's other nodes, which it cannot serve, are
///   `DONT_HAVE`, so they come from peers or gateways.
///
/// Nothing it sends is trusted: every block goes through the exchange's hash check, like a peer's, so a source that
/// sends a wrong byte is banned for the fetch and the fetch completes from its other sources. A block the source
/// does not have (404, 410) is a `DONT_HAVE`; other failures too, and after
/// ``maxConsecutiveFailures`` in a row the source ends (the exchange treats it as a peer that went away).
public struct HTTPSource: Sendable {
    /// What the URL serves.
    public enum Kind: String, Hashable, Sendable {
        /// Blocks by CID (`/ipfs/{cid}?format=raw`).
        case trustlessGateway = "trustless-gateway"
        /// One file's bytes, read by `Range`.
        case origin
    }

    /// What the URL serves.
    public let kind: Kind
    /// The URL: a gateway's base, without a trailing slash (`https://trustless-gateway.link`), or an origin's file
    /// URL as given.
    public let baseURL: String
    /// The exchange's name for this source: SHA-256 of its kind and URL.
    public let peer: ExchangePeer
    /// Requests in flight at once. Default 8.
    public var maxConcurrentRequests = 8
    /// Longest wait for one block. Default 30 s.
    public var requestTimeout: Duration = .seconds(30)
    /// Failures in a row (not counting 404s) after which the source ends. Default 8.
    public var maxConsecutiveFailures = 8
    let client: HTTPClient

    /// A source for the trustless gateway at `url` (`http` or `https`), using `client` (``HTTPClient/shared`` by
    /// default).
    ///
    /// - Throws: ``HTTPSourceError/invalidURL(_:)`` for anything but an `http(s)://host[:port][/path]`
    ///   URL without a query.
    public init(url: String, client: HTTPClient = .shared) throws(HTTPSourceError) {
        try self.init(kind: .trustlessGateway, url: url, client: client)
    }

    /// A source of `kind` at `url`. An origin's URL may carry a query (it names the file); a gateway's may not.
    ///
    /// - Throws: ``HTTPSourceError/invalidURL(_:)`` for anything but an `http(s)://host` URL.
    public init(kind: Kind, url: String, client: HTTPClient = .shared) throws(HTTPSourceError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
            parsed.host != nil, parsed.fragment == nil, kind == .origin || parsed.query == nil
        else { throw .invalidURL(url) }
        var base = url
        if kind == .trustlessGateway { while base.hasSuffix("/") { base.removeLast() } }
        self.kind = kind
        self.baseURL = base
        self.peer = ExchangePeer(id: SHA256.hash(Array("http-source:\(kind.rawValue):\(base)".utf8)))
        self.client = client
    }

    /// Serves the exchange's messages to this source until `outgoing` ends or the task is cancelled: `WANT_BLOCK`
    /// and `WANT_HAVE` become requests whose answers come back through `received`, `CANCEL` cancels them.
    func serve(
        _ outgoing: AsyncStream<ExchangeMessage>,
        received: @escaping @Sendable (ReceivedMessage) async -> Void,
        written: @escaping @Sendable (Int) async -> Void,
        placement: @escaping @Sendable (CID) async -> (offset: UInt64, length: Int)?
    ) async {
        let requests = RequestTable()
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await message in outgoing {
                await written(message.encodedCount)
                switch message {
                case .wantBlock(let wants), .wantHave(let wants):
                    let wantsBlock = if case .wantBlock = message { true } else { false }
                    for want in wants {
                        if running >= maxConcurrentRequests {
                            await group.next()
                            running -= 1
                        }
                        guard await !requests.hasFailedTooOften(maxConsecutiveFailures) else { break }
                        running += 1
                        group.addTask {
                            let task = Task {
                                await fetch(
                                    want.cid, block: wantsBlock, received: received, failures: requests,
                                    placement: placement)
                            }
                            await requests.start(want.cid, task)
                            // The source closing cancels this child; the request it waits for goes with it.
                            await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
                            await requests.end(want.cid)
                        }
                    }
                case .cancel(let cids):
                    for cid in cids { await requests.cancel(cid) }
                case .have, .dontHave, .block, .padding, .holePunch:
                    break
                }
                if await requests.hasFailedTooOften(maxConsecutiveFailures) { break }
            }
            group.cancelAll()
        }
    }

    private func fetch(
        _ cid: CID,
        block wantsBlock: Bool,
        received: @Sendable (ReceivedMessage) async -> Void,
        failures: RequestTable,
        placement: @Sendable (CID) async -> (offset: UInt64, length: Int)?
    ) async {
        var request: HTTPClientRequest
        switch kind {
        case .trustlessGateway:
            request = HTTPClientRequest(url: "\(baseURL)/ipfs/\(cid)?format=raw")
            request.headers.add(name: "Accept", value: "application/vnd.ipld.raw")
        case .origin:
            // Only a raw leaf is the file's own bytes; the DAG's nodes come from other sources.
            guard cid.codec == .raw, let (offset, length) = await placement(cid), length > 0 else {
                await received(ReceivedMessage(hashing: .dontHave([cid])))
                return
            }
            request = HTTPClientRequest(url: baseURL)
            request.headers.add(name: "Range", value: "bytes=\(offset)-\(offset + UInt64(length) - 1)")
        }
        request.method = wantsBlock ? .GET : .HEAD
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(requestTimeout.nanosecondsClamped))
            switch response.status {
            case .ok where kind == .origin && wantsBlock:
                // The whole file instead of the range: a server that ignores `Range` cannot serve leaves.
                await failures.failed()
                await received(ReceivedMessage(hashing: .dontHave([cid])))
            case .ok, .partialContent:
                guard wantsBlock else {
                    await received(ReceivedMessage(hashing: .have([cid])))
                    await failures.succeeded()
                    return
                }
                // One byte over the largest block is enough to know the answer is wrong.
                let body = try await response.body.collect(upTo: Block.maxByteCount + 1)
                await received(ReceivedMessage(hashing: .block(cid, bytes: Array(body.readableBytesView))))
                await failures.succeeded()
            case .notFound, .gone:
                await received(ReceivedMessage(hashing: .dontHave([cid])))
            default:
                await failures.failed()
                await received(ReceivedMessage(hashing: .dontHave([cid])))
            }
        } catch {
            guard !Task.isCancelled else { return }
            await failures.failed()
            await received(ReceivedMessage(hashing: .dontHave([cid])))
        }
    }
}

/// The requests of one source in flight, and its failures in a row.
private actor RequestTable {
    private var tasks: [CID: Task<Void, Never>] = [:]
    private var consecutiveFailures = 0

    func start(_ cid: CID, _ task: Task<Void, Never>) { tasks[cid] = task }
    func end(_ cid: CID) { tasks[cid] = nil }
    func cancel(_ cid: CID) { tasks.removeValue(forKey: cid)?.cancel() }
    func failed() { consecutiveFailures += 1 }
    func succeeded() { consecutiveFailures = 0 }
    func hasFailedTooOften(_ limit: Int) -> Bool { consecutiveFailures >= limit }
}

/// Why a ``HTTPSource`` cannot be made.
public enum HTTPSourceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not an `http(s)://host[:port][/path]` URL.
    case invalidURL(String)
    /// The origin's bytes, chunked with every import profile, do not make the fetch's root.
    case notTheFile(String)
    /// The origin's file is over ``HTTPSource/maxWholeReadBytes``.
    case tooLarge(String)
    /// The request failed (the reason is attached).
    case failed(String)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .invalidURL(let url): "'\(url.prefix(200))' is not an http:// or https:// gateway URL"
        case .notTheFile(let url): "the bytes of \(url.prefix(200)) are not the file the CID names"
        case .tooLarge(let url): "\(url.prefix(200)) is over \(HTTPSource.maxWholeReadBytes >> 20) MiB, too large to read whole"
        case .failed(let reason): reason
        }
    }
}

extension HTTPSource {
    /// Largest file ``readWhole(expecting:)`` reads: its blocks are held in memory until they are checked against
    /// the root. Default 256 MiB.
    public static let maxWholeReadBytes: UInt64 = 256 * 1024 * 1024

    /// Reads all of this origin's file and chunks it as `dhtnode add` would with each import profile; returns the
    /// blocks of the profile whose root is `root`, root first and each node before its children, or throws when
    /// none is: an origin's bytes are used only once they are known to be the file the CID names.
    ///
    /// - Throws: ``HTTPSourceError/notTheFile(_:)`` when no profile gives `root`, ``HTTPSourceError/tooLarge(_:)``
    ///   past ``maxWholeReadBytes``, ``HTTPSourceError/failed(_:)`` for a status other than 200 or a transfer error.
    func readWhole(expecting root: CID) async throws(HTTPSourceError) -> [Block] {
        var builders = ImportProfile.named.map { BalancedDAGBuilder(profile: $0) }
        var emitted = Array(repeating: [CID: Block](), count: builders.count)
        var request = HTTPClientRequest(url: baseURL)
        request.method = .GET
        var total: UInt64 = 0
        do {
            let response = try await client.execute(request, timeout: .seconds(600))
            guard response.status == .ok else { throw HTTPSourceError.failed("\(baseURL) answered \(response.status.code)") }
            for try await piece in response.body {
                total += UInt64(piece.readableBytes)
                guard total <= Self.maxWholeReadBytes else { throw HTTPSourceError.tooLarge(baseURL) }
                for index in builders.indices {
                    piece.withUnsafeReadableBytes { bytes in
                        builders[index].append(bytes) { block in emitted[index][block.cid] = block }
                    }
                }
            }
        } catch let error as HTTPSourceError {
            throw error
        } catch {
            throw .failed("\(baseURL): \(error)")
        }
        for index in builders.indices {
            let result = builders[index].finish { block in emitted[index][block.cid] = block }
            guard result.root == root else { continue }
            return Self.depthFirst(from: root, in: emitted[index])
        }
        throw .notTheFile(baseURL)
    }

    /// The blocks reachable from `root`, root first, each dag-pb node before its links, in link order.
    private static func depthFirst(from root: CID, in blocks: [CID: Block]) -> [Block] {
        var ordered: [Block] = []
        var stack = [root]
        var seen = Set<CID>()
        while let cid = stack.popLast() {
            guard seen.insert(cid).inserted, let block = blocks[cid] else { continue }
            ordered.append(block)
            if cid.codec == .dagPB, let node = try? PBNode(decoding: block.bytes) {
                stack.append(contentsOf: node.links.map(\.hash).reversed())
            }
        }
        return ordered
    }
}
