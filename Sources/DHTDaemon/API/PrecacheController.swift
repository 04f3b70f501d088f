import Blocks
import DHTNode
import Hummingbird
import Logging

/// The `/v1/precache` routes: background fetches that fill the cache of a CDN node ahead of its users.
///
/// | method and path | what |
/// |---|---|
/// | `POST /v1/precache/{cid}?wait=B` | queue the DAG under `cid` for a background fetch (``PrecacheItemDocument``); with `wait=true` answer once it ended; 503 `precache_full` when 1,024 wait |
/// | `GET /v1/precache` | the requests and the cache: ``PrecacheDocument`` |
public struct PrecacheController<Context: RequestContext>: Sendable {
    private let service: PrecacheService
    private let cache: BlockCache?

    /// Routes that precache through `node` into `repository`, whose unpinned blocks `cache` (when on) holds to its
    /// budget.
    public init(node: Node, repository: BlockRepository, cache: BlockCache?, logger: Logger) {
        self.service = PrecacheService(node: node, repository: repository, logger: logger)
        self.cache = cache
    }

    /// Adds the routes to `group` (mounted at `/v1`).
    public func addRoutes(to group: RouterGroup<Context>) {
        group.post("precache/:cid") { request, context in
            let root = try BlockController<Context>.cid(context)
            let wait = try BlockController<Context>.flag(request, "wait", default: false)
            let item: PrecacheQueue.Item
            do {
                item = try await service.enqueue(root)
            } catch {
                throw APIError(
                    .serviceUnavailable, code: "precache_full",
                    message: "\(PrecacheQueue.maxWaiting) precache requests are waiting already: try again later")
            }
            guard wait, let finished = await service.finished(item.id) else { return PrecacheItemDocument(item) }
            return PrecacheItemDocument(finished)
        }
        group.get("precache") { _, _ in
            let items = await service.items.map(PrecacheItemDocument.init)
            return PrecacheDocument(items: items, cache: Self.document(of: cache))
        }
    }

    static func document(of cache: BlockCache?) -> CacheDocument {
        guard let status = cache?.status else {
            return CacheDocument(budgetBytes: nil, bytes: 0, blocks: 0, evictions: 0, evictedBytes: 0)
        }
        return CacheDocument(
            budgetBytes: status.budget, bytes: status.byteCount, blocks: status.blockCount,
            evictions: status.evictions, evictedBytes: status.evictedBytes)
    }
}

extension PrecacheItemDocument: ResponseEncodable {}
extension PrecacheDocument: ResponseEncodable {}
