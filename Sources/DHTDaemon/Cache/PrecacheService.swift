import Blocks
import DHTNode
import Foundation
import Logging

/// Runs the daemon's precache requests (`dhtnode precache`, `POST /v1/precache/{cid}`): each root's whole DAG is
/// fetched in the background (``DHTNode/Node/precache(_:sources:)``: below every other fetch in priority, on the
/// capacity they leave), unpinned, into the repository, where the cache (``BlockCache``) keeps it while it is used.
/// The queue and its limits are ``PrecacheQueue``'s.
actor PrecacheService {
    private let node: Node
    /// The repository, to see whether a DAG is whole there already (the exchange does not read its own store).
    private let repository: BlockRepository
    private let logger: Logger
    private var queue = PrecacheQueue()
    /// Callers waiting for an item to finish, by item.
    private var waiters: [UInt64: [CheckedContinuation<PrecacheQueue.Item?, Never>]] = [:]
    private var tasks: [UInt64: Task<Void, Never>] = [:]

    init(node: Node, repository: BlockRepository, logger: Logger) {
        self.node = node
        self.repository = repository
        self.logger = logger
    }

    /// Queues `root`; returns its item as it is now.
    func enqueue(_ root: CID) throws(PrecacheQueue.Refusal) -> PrecacheQueue.Item {
        let (id, start) = try queue.enqueue(root, now: Self.now())
        run(start)
        return queue.item(id)!
    }

    /// Waits until item `id` finished; returns it (`nil` when it is unknown).
    func finished(_ id: UInt64) async -> PrecacheQueue.Item? {
        guard let item = queue.item(id) else { return nil }
        if item.isFinished { return item }
        return await withCheckedContinuation { waiters[id, default: []].append($0) }
    }

    /// Every item: running, waiting, then the last finished ones (newest first).
    var items: [PrecacheQueue.Item] { queue.items }

    /// Cancels the running fetches (the daemon stops).
    func stop() {
        for task in tasks.values { task.cancel() }
    }

    private func run(_ items: [PrecacheQueue.Item]) {
        for item in items {
            let node = node
            let repository = repository
            tasks[item.id] = Task {
                let outcome: (blocks: UInt64, bytes: UInt64, failure: String?)
                do {
                    // A DAG whole in the repository already is not fetched again (its blocks are read, which
                    // makes them the most recently used in the cache).
                    if try await repository.missingBlock(under: item.root) == nil {
                        await self.ended(item.id, (0, 0, nil))
                        return
                    }
                    let statistics = try await node.precache(item.root)
                    outcome = (statistics.blocks, statistics.blockBytes, nil)
                } catch {
                    outcome = (0, 0, "\(error)")
                }
                await self.ended(item.id, outcome)
            }
        }
    }

    private func ended(_ id: UInt64, _ outcome: (blocks: UInt64, bytes: UInt64, failure: String?)) {
        tasks[id] = nil
        let start = queue.finish(id, blocks: outcome.blocks, bytes: outcome.bytes, failure: outcome.failure, now: Self.now())
        if let item = queue.item(id) {
            if let failure = outcome.failure {
                logger.info("precache failed", metadata: ["root": "\(item.root)", "error": "\(failure)"])
            }
            for waiter in waiters.removeValue(forKey: id) ?? [] { waiter.resume(returning: item) }
        }
        run(start)
    }

    private static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
