import Synchronization

/// Misbehaviour an ``ExchangeNode`` can be told to show, for tests of the peers that talk to it: a "lying seeder"
/// that sends wrong bytes for some blocks. Never set in production; `dhtnode run` exposes it only through a hidden
/// testing option.
public struct ExchangeNodeFaults: Sendable, Hashable {
    /// Every `n`-th `BLOCK` this node sends carries one flipped byte (so it fails its hash at the receiver);
    /// `nil` sends every block as stored.
    public var corruptEveryNthBlock: Int?

    /// No faults.
    public init(corruptEveryNthBlock: Int? = nil) {
        self.corruptEveryNthBlock = corruptEveryNthBlock.map { max(1, $0) }
    }

    /// Whether nothing is injected.
    public var isEmpty: Bool { corruptEveryNthBlock == nil }
}

/// Counts the blocks sent, to pick the ones ``ExchangeNodeFaults/corruptEveryNthBlock`` corrupts.
final class FaultInjector: Sendable {
    let faults: ExchangeNodeFaults
    private let sentBlocks = Atomic<Int>(0)

    init(_ faults: ExchangeNodeFaults) { self.faults = faults }

    /// Whether the next block sent is to be corrupted.
    func corruptsNextBlock() -> Bool {
        guard let every = faults.corruptEveryNthBlock else { return false }
        let sent = sentBlocks.add(1, ordering: .relaxed).newValue
        return sent % every == 0
    }
}
