import AsyncHTTPClient
import Blocks
import DHTCrypto
import Exchange
import Foundation
import NIOCore
import NIOHTTP1

/// A trustless gateway (ipfs/specs `http-gateways/trustless-gateway`) as a source of blocks for the exchange: the
/// exchange asks it as it asks a peer, and it answers each `WANT_BLOCK` with `GET /ipfs/{cid}?format=raw`.
///
/// Nothing it sends is trusted: every block goes through the exchange's hash check, like a peer's, so a gateway that
/// sends a wrong byte is banned for the fetch and the fetch completes from its other sources. A block the gateway
/// does not have (404, 410) is a `DONT_HAVE`; other failures too, and after
/// ``maxConsecutiveFailures`` in a row the source ends (the exchange treats it as a peer that went away).
public struct TrustlessGatewaySource: Sendable {
    /// The gateway's base URL, without a trailing slash (`https://trustless-gateway.link`).
    public let baseURL: String
    /// The exchange's name for this source: SHA-256 of `http-source:` and the base URL.
    public let peer: ExchangePeer
    /// Requests in flight at once. Default 8.
    public var maxConcurrentRequests = 8
    /// Longest wait for one block. Default 30 s.
    public var requestTimeout: Duration = .seconds(30)
    /// Failures in a row (not counting 404s) after which the source ends. Default 8.
    public var maxConsecutiveFailures = 8
    let client: HTTPClient

    /// A source for the gateway at `url` (`http` or `https`), using `client` (``HTTPClient/shared`` by default).
    ///
    /// - Throws: ``TrustlessGatewaySourceError/invalidURL(_:)`` for anything but an `http(s)://host[:port][/path]`
    ///   URL without a query.
    public init(url: String, client: HTTPClient = .shared) throws(TrustlessGatewaySourceError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
            parsed.host != nil, parsed.query == nil, parsed.fragment == nil
        else { throw .invalidURL(url) }
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.peer = ExchangePeer(id: SHA256.hash(Array("http-source:\(base)".utf8)))
        self.client = client
    }

    /// Serves the exchange's messages to this source until `outgoing` ends or the task is cancelled: `WANT_BLOCK`
    /// and `WANT_HAVE` become requests whose answers come back through `received`, `CANCEL` cancels them.
    func serve(
        _ outgoing: AsyncStream<ExchangeMessage>,
        received: @escaping @Sendable (ReceivedMessage) async -> Void,
        written: @escaping @Sendable (Int) async -> Void
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
                            let task = Task { await fetch(want.cid, block: wantsBlock, received: received, failures: requests) }
                            await requests.start(want.cid, task)
                            await task.value
                            await requests.end(want.cid)
                        }
                    }
                case .cancel(let cids):
                    for cid in cids { await requests.cancel(cid) }
                case .have, .dontHave, .block, .padding:
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
        failures: RequestTable
    ) async {
        var request = HTTPClientRequest(url: "\(baseURL)/ipfs/\(cid)?format=raw")
        request.method = wantsBlock ? .GET : .HEAD
        request.headers.add(name: "Accept", value: "application/vnd.ipld.raw")
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(requestTimeout.nanosecondsClamped))
            switch response.status {
            case .ok:
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

/// Why a ``TrustlessGatewaySource`` cannot be made.
public enum TrustlessGatewaySourceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not an `http(s)://host[:port][/path]` URL.
    case invalidURL(String)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .invalidURL(let url): "'\(url.prefix(200))' is not an http:// or https:// gateway URL"
        }
    }
}
