import Blocks
import DequeModule
import Synchronization

/// The blocks the gateway served last, in memory: a popular page's files, its directories and the small files that
/// fill a site are answered without reading the repository again. First in, first out, capped by bytes.
final class GatewayBlockCache: Sendable {
    private struct State {
        var blocks: [CID: Block] = [:]
        var order = Deque<CID>()
        var bytes = 0
    }

    /// The cap on cached block bytes.
    let maxBytes: Int
    private let state = Mutex(State())

    /// 64 MiB by default: a few hundred sites' pages, or a video's first seconds.
    init(maxBytes: Int = 64 << 20) {
        self.maxBytes = maxBytes
    }

    func block(_ cid: CID) -> Block? {
        state.withLock { $0.blocks[cid] }
    }

    func insert(_ block: Block) {
        guard block.bytes.count <= maxBytes / 16 else { return }
        state.withLock { state in
            guard state.blocks.updateValue(block, forKey: block.cid) == nil else { return }
            state.order.append(block.cid)
            state.bytes += block.bytes.count
            while state.bytes > maxBytes, let oldest = state.order.popFirst() {
                state.bytes -= state.blocks.removeValue(forKey: oldest)?.bytes.count ?? 0
            }
        }
    }
}
