import Blocks
import DequeModule
import HeapModule

/// The serving half of an ``ExchangeInstance``: per-peer wantlists, byte caps, and deficit round robin.
///
/// Rules (docs/PROTOCOL.md, "Block exchange", "Serving"):
/// - `WANT_HAVE` is answered at once from the ``BlockSource`` (`HAVE`, or `DONT_HAVE` when asked); it is not
///   stored.
/// - `WANT_BLOCK` for a block the source has enters the peer's wantlist, at most
///   ``ExchangeConfiguration/maxWantlistEntriesPerPeer`` entries; a want over the cap is refused with `DONT_HAVE`
///   (if asked), so the client goes elsewhere. A want for a missing block gets `DONT_HAVE` (if asked).
/// - Each peer's wantlist is served by priority, then arrival. Blocks are read from the source only when sent; the
///   source is told ahead (``BlockSource/prepareToServe(_:)``) of up to
///   ``ExchangeConfiguration/maxPreparedBlocksPerPeer`` queued wants per peer (and
///   ``ExchangeConfiguration/maxPreparedBlocksTotal`` in all), in arrival order: when a want is queued if there
///   is room, else as served and cancelled wants make room.
/// - A peer is sent blocks only while less than ``ExchangeConfiguration/maxOutstandingBytesPerPeer`` bytes wait
///   in its channel, and the draining peers together while less than
///   ``ExchangeConfiguration/maxOutstandingBytesTotal``.
/// - Progress, not presence: a peer whose channel wrote nothing of its waiting bytes for
///   ``ExchangeConfiguration/drainStallTimeout`` is stalled. Its bytes move from the draining peers' budget to the
///   stalled peers' (``ExchangeConfiguration/maxStalledBytesTotal``), so they no longer hold back a new or fast
///   peer, and it is sent nothing more until its channel writes again. A peer stalled for
///   ``ExchangeConfiguration/slowReaderTimeout`` is cut, and so is the one stalled longest while the stalled
///   peers together hold more than their budget. Memory waiting in channels is therefore at most the sum of the
///   two budgets, and a newly connected peer is served within about one stall timeout whatever the others hold.
/// - Peers with wants take turns (deficit round robin, quantum ``ExchangeConfiguration/serverQuantum``, a turn
///   may overdraw by one block), so each gets an equal share of the uplink in bytes whatever its block sizes.
struct ExchangeServer: Sendable {
    /// A queued want: higher priority first, then earlier arrival.
    struct QueuedWant: Comparable, Sendable {
        var priority: UInt32
        var sequence: UInt64
        var cid: CID

        static func < (lhs: QueuedWant, rhs: QueuedWant) -> Bool {
            lhs.priority != rhs.priority ? lhs.priority > rhs.priority : lhs.sequence < rhs.sequence
        }
        static func == (lhs: QueuedWant, rhs: QueuedWant) -> Bool { lhs.sequence == rhs.sequence }
    }

    struct Entry: Sendable {
        var sequence: UInt64
        var sendDontHave: Bool
        /// Whether the source was told to prepare this block (it counts against the prepared caps until served or
        /// cancelled).
        var prepared = false
    }

    struct PeerState: Sendable {
        /// The live wantlist: CID → the sequence of its queue entry (queue entries of other sequences are stale).
        var wants: [CID: Entry] = [:]
        var queue = Heap<QueuedWant>()
        var deficit = 0
        var inRing = false
        /// Bytes handed to the shell for this peer and not yet reported written.
        var outstanding = 0
        /// When the channel last wrote something, or when bytes began to wait after none did.
        var lastProgress = ExchangeInstant.zero
        /// Whether its waiting bytes count against the stalled peers' budget (see the type's rules).
        var stalled = false
        /// Live wants whose blocks the source was told to prepare.
        var prepared = 0
        /// Wants queued when there was no room to prepare them, in arrival order (entries of other sequences, or
        /// prepared since, are stale).
        var unprepared = Deque<QueuedWant>()
    }

    let configuration: ExchangeConfiguration
    private(set) var peers: [ExchangePeer: PeerState] = [:]
    private var ring = Deque<ExchangePeer>()
    private var sequence: UInt64 = 0
    /// Bytes waiting in the channels of peers that are not stalled.
    private(set) var totalOutstanding = 0
    /// Bytes waiting in the channels of stalled peers.
    private(set) var stalledOutstanding = 0
    /// When ``checkProgress(now:)`` has work to do (a peer may stall or be cut); `nil` while no bytes wait.
    private(set) var progressCheckAt: ExchangeInstant?
    /// Live wants of all peers whose blocks the source was told to prepare.
    private(set) var totalPrepared = 0

    init(configuration: ExchangeConfiguration) {
        self.configuration = configuration
    }

    /// The number of wants queued for `peer`.
    func wantCount(of peer: ExchangePeer) -> Int { peers[peer]?.wants.count ?? 0 }
    /// The number of queue entries (live and stale) held for `peer`.
    func queueCount(of peer: ExchangePeer) -> Int { peers[peer]?.queue.count ?? 0 }
    /// The bytes waiting in `peer`'s channel.
    func outstanding(of peer: ExchangePeer) -> Int { peers[peer]?.outstanding ?? 0 }
    /// The live wants of `peer` whose blocks the source was told to prepare.
    func preparedCount(of peer: ExchangePeer) -> Int { peers[peer]?.prepared ?? 0 }
    /// Whether `peer` is stalled (its channel wrote nothing for ``ExchangeConfiguration/drainStallTimeout``).
    func isStalled(_ peer: ExchangePeer) -> Bool { peers[peer]?.stalled ?? false }

    mutating func addPeer(_ peer: ExchangePeer) {
        if peers[peer] == nil { peers[peer] = PeerState() }
    }

    mutating func removePeer(_ peer: ExchangePeer) {
        guard let state = peers.removeValue(forKey: peer) else { return }
        if state.stalled {
            stalledOutstanding -= state.outstanding
        } else {
            totalOutstanding -= state.outstanding
        }
        totalPrepared -= state.prepared
        // A stale ring entry is skipped when it comes up.
    }

    /// Counts bytes handed to the shell for `peer`.
    mutating func noteSent(_ byteCount: Int, to peer: ExchangePeer, now: ExchangeInstant) {
        guard var state = peers.removeValue(forKey: peer) else { return }
        add(byteCount, to: &state, now: now)
        peers[peer] = state
    }

    private mutating func add(_ byteCount: Int, to state: inout PeerState, now: ExchangeInstant) {
        if state.outstanding == 0 {
            state.lastProgress = now
            if progressCheckAt == nil { progressCheckAt = now + configuration.drainStallTimeout }
        }
        state.outstanding += byteCount
        if state.stalled {
            stalledOutstanding += byteCount
        } else {
            totalOutstanding += byteCount
        }
    }

    /// The shell wrote `byteCount` bytes to `peer`'s channel: progress, so a stalled peer drains again.
    mutating func noteCompleted(_ byteCount: Int, to peer: ExchangePeer, now: ExchangeInstant) {
        guard var state = peers.removeValue(forKey: peer) else { return }
        let done = min(byteCount, state.outstanding)
        if state.stalled {
            stalledOutstanding -= state.outstanding
            totalOutstanding += state.outstanding
            state.stalled = false
        }
        state.outstanding -= done
        totalOutstanding -= done
        state.lastProgress = now
        if !state.wants.isEmpty && !state.inRing {
            state.inRing = true
            ring.append(peer)
        }
        peers[peer] = state
    }

    /// Answers or queues wants; returns how many were refused because the wantlist was full.
    mutating func receiveWants(
        _ wants: [ExchangeWant],
        blocks: Bool,
        from peer: ExchangePeer,
        source: some BlockSource,
        outbox: inout Outbox
    ) -> Int {
        guard var state = peers.removeValue(forKey: peer) else { return 0 }
        var refused = 0
        for want in wants {
            let has = source.hasBlock(want.cid)
            guard blocks else {
                if has {
                    outbox.have(want.cid, to: peer)
                } else if want.sendDontHave {
                    outbox.dontHave(want.cid, to: peer)
                }
                continue
            }
            guard has else {
                if want.sendDontHave { outbox.dontHave(want.cid, to: peer) }
                continue
            }
            if state.wants[want.cid] == nil && state.wants.count >= configuration.maxWantlistEntriesPerPeer {
                refused += 1
                if want.sendDontHave { outbox.dontHave(want.cid, to: peer) }
                continue
            }
            sequence += 1
            // A want again for a queued block keeps its place among the prepared ones.
            let entry = Entry(
                sequence: sequence, sendDontHave: want.sendDontHave, prepared: state.wants[want.cid]?.prepared ?? false)
            state.wants[want.cid] = entry
            let queued = QueuedWant(priority: want.priority, sequence: sequence, cid: want.cid)
            state.queue.insert(queued)
            if !entry.prepared { state.unprepared.append(queued) }
        }
        prepareWaiting(&state, source: source)
        compactIfNeeded(&state)
        if !state.wants.isEmpty && !state.inRing {
            state.inRing = true
            ring.append(peer)
        }
        peers[peer] = state
        return refused
    }

    /// Removes cancelled wants (their queue entries become stale); waiting wants take the room to be prepared they
    /// leave.
    mutating func cancel(_ cids: [CID], from peer: ExchangePeer, source: some BlockSource) {
        guard var state = peers.removeValue(forKey: peer) else { return }
        for cid in cids {
            if let entry = state.wants.removeValue(forKey: cid) { releasePrepared(entry.prepared, &state) }
        }
        prepareWaiting(&state, source: source)
        compactIfNeeded(&state)
        peers[peer] = state
    }

    /// Stale entries (cancelled or re-wanted) may not outnumber live ones by more than the cap: rebuild then.
    private func compactIfNeeded(_ state: inout PeerState) {
        let wants = state.wants
        if state.queue.count > 2 * configuration.maxWantlistEntriesPerPeer {
            state.queue = Heap(state.queue.unordered.filter { wants[$0.cid]?.sequence == $0.sequence })
        }
        if state.unprepared.count > 2 * configuration.maxWantlistEntriesPerPeer {
            state.unprepared = Deque(state.unprepared.filter { want in
                wants[want.cid].map { $0.sequence == want.sequence && !$0.prepared } ?? false
            })
        }
    }

    /// Sends blocks while the caps allow, taking peers in turn. O(1) amortized per block sent.
    mutating func serve(source: some BlockSource, now: ExchangeInstant, outbox: inout Outbox) {
        while totalOutstanding < configuration.maxOutstandingBytesTotal, let peer = ring.first {
            // Taken out of the table while it changes, so that its wantlist is not copied (copy on write).
            guard var state = peers.removeValue(forKey: peer) else {
                ring.removeFirst()
                continue
            }
            guard state.inRing else {
                peers[peer] = state
                ring.removeFirst()
                continue
            }
            guard state.outstanding < configuration.maxOutstandingBytesPerPeer, !state.stalled else {
                // Back in the ring when its channel drains (noteCompleted).
                state.inRing = false
                peers[peer] = state
                ring.removeFirst()
                continue
            }
            guard let next = Self.popLive(&state) else {
                state.inRing = false
                state.deficit = 0
                peers[peer] = state
                ring.removeFirst()
                continue
            }
            if state.deficit <= 0 {
                state.deficit += configuration.serverQuantum
            }
            state.wants.removeValue(forKey: next.cid)
            releasePrepared(next.prepared, &state)
            prepareWaiting(&state, source: source)
            if let bytes = source.blockBytes(next.cid) {
                let message = ExchangeMessage.block(next.cid, bytes: bytes)
                let size = message.encodedCount
                add(size, to: &state, now: now)
                state.deficit -= size
                outbox.blocks.append((peer, message))
            } else if next.sendDontHave {
                outbox.dontHave(next.cid, to: peer)
            }
            if state.deficit <= 0 || state.wants.isEmpty {
                ring.removeFirst()
                if state.wants.isEmpty {
                    state.inRing = false
                    state.deficit = 0
                } else {
                    ring.append(peer)
                }
            }
            peers[peer] = state
        }
    }

    /// Moves a peer's waiting bytes to the stalled peers' budget.
    private mutating func stall(_ state: inout PeerState) {
        state.stalled = true
        totalOutstanding -= state.outstanding
        stalledOutstanding += state.outstanding
    }

    /// Stalls the peers whose channels wrote nothing for ``ExchangeConfiguration/drainStallTimeout``, and returns
    /// the peers to cut: those stalled for ``ExchangeConfiguration/slowReaderTimeout``, then the ones stalled
    /// longest while the stalled peers hold more than ``ExchangeConfiguration/maxStalledBytesTotal`` (they are
    /// removed here; the caller disconnects them). Sets the next ``progressCheckAt``: the earliest moment a peer
    /// may stall or be cut, but at most eight checks per stall timeout. O(peers).
    mutating func checkProgress(now: ExchangeInstant) -> [ExchangePeer] {
        var cut: [ExchangePeer] = []
        var stalledByAge: [(since: ExchangeInstant, peer: ExchangePeer)] = []
        for peer in peers.keys {
            guard var state = peers[peer], state.outstanding > 0 else { continue }
            let quiet = now - state.lastProgress
            if !state.stalled && quiet >= configuration.drainStallTimeout {
                peers.removeValue(forKey: peer)
                stall(&state)
                peers[peer] = state
            }
            guard state.stalled else { continue }
            if quiet >= configuration.slowReaderTimeout {
                cut.append(peer)
            } else {
                stalledByAge.append((state.lastProgress, peer))
            }
        }
        for peer in cut { removePeer(peer) }
        if stalledOutstanding > configuration.maxStalledBytesTotal {
            stalledByAge.sort { ($0.since, $0.peer) < ($1.since, $1.peer) }
            for (_, peer) in stalledByAge where stalledOutstanding > configuration.maxStalledBytesTotal {
                removePeer(peer)
                cut.append(peer)
            }
        }
        var next: ExchangeInstant?
        for state in peers.values where state.outstanding > 0 {
            let due =
                state.lastProgress + (state.stalled ? configuration.slowReaderTimeout : configuration.drainStallTimeout)
            next = min(next ?? due, due)
        }
        progressCheckAt = next.map { max($0, now + configuration.drainStallTimeout / 8) }
        return cut
    }

    /// Pops the best live want, dropping stale queue entries on the way.
    private static func popLive(_ state: inout PeerState) -> (cid: CID, sendDontHave: Bool, prepared: Bool)? {
        while let top = state.queue.popMin() {
            if let entry = state.wants[top.cid], entry.sequence == top.sequence {
                return (top.cid, entry.sendDontHave, entry.prepared)
            }
        }
        return nil
    }

    private func hasRoomToPrepare(_ state: PeerState) -> Bool {
        state.prepared < configuration.maxPreparedBlocksPerPeer && totalPrepared < configuration.maxPreparedBlocksTotal
    }

    /// A want left the wantlist (served or cancelled): if it was prepared, its place is free.
    private mutating func releasePrepared(_ wasPrepared: Bool, _ state: inout PeerState) {
        guard wasPrepared else { return }
        state.prepared -= 1
        totalPrepared -= 1
    }

    /// Tells the source to prepare waiting wants, oldest first, while there is room: new wants as they are queued,
    /// and the ones that waited as served and cancelled wants free places.
    private mutating func prepareWaiting(_ state: inout PeerState, source: some BlockSource) {
        while hasRoomToPrepare(state), let waiting = state.unprepared.popFirst() {
            guard var entry = state.wants[waiting.cid], entry.sequence == waiting.sequence, !entry.prepared else {
                continue
            }
            source.prepareToServe(waiting.cid)
            entry.prepared = true
            state.wants[waiting.cid] = entry
            state.prepared += 1
            totalPrepared += 1
        }
    }
}
