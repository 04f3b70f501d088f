import Blocks
import HeapModule

/// The client side of one fetch: one DAG (a UnixFS file, or a byte range of one), learnt as its blocks arrive,
/// requested from every useful peer within per-peer windows, delivered in file order.
///
/// Rules (docs/PROTOCOL.md, "Block exchange", "Fetching"):
/// - Blocks are requested in file order (depth first: a node before its children), each from one peer only; a
///   block is requested from a second peer only in endgame.
/// - A peer is useful once it said `HAVE` for a block of the DAG, sent one, or was added as a provider; useful
///   peers are sent `WANT_BLOCK` with `send-dont-have`, to the one with the most room in its window. Before the
///   root arrived, the first few peers are asked `WANT_BLOCK` for it at once (``ExchangeConfiguration/optimisticRootPeers``).
/// - Requests go back to the queue when their peer stalls (no block within its timeout), disconnects or answers
///   `DONT_HAVE`.
/// - No block starting at or past the next byte to deliver + read-ahead is requested; for a fetch paced by its
///   reader, the next byte the reader has not taken + read-ahead, so a slow reader holds at most about
///   read-ahead bytes in memory.
/// - A byte range requests only the blocks whose bytes overlap it.
struct FetchSession: Sendable {
    /// Where a block sits in the file; a CID can sit in several places (identical chunks).
    struct Placement: Sendable {
        var offset: UInt64
        var depth: Int
    }

    /// A request of a block from a peer.
    struct Request: Sendable {
        var peer: ExchangePeer
        var sentAt: ExchangeInstant
        var deliveredAtSend: UInt64
        /// The bytes outstanding at the peer when this request was sent: the blocks it waits behind.
        var queuedAhead: Int
        var estimatedBytes: Int
    }

    /// A block known and not received yet.
    struct Pending: Sendable {
        var key: QueueKey
        var placements: [Placement]
        var estimatedBytes: Int
        var requests: [Request] = []
        /// Whether a live queue entry exists.
        var queued = true
    }

    /// Queue order: file offset, then depth (parents first), then discovery order.
    struct QueueKey: Comparable, Sendable {
        var offset: UInt64
        var depth: Int
        var sequence: UInt64
        var cid: CID

        static func < (lhs: QueueKey, rhs: QueueKey) -> Bool {
            (lhs.offset, lhs.depth, lhs.sequence) < (rhs.offset, rhs.depth, rhs.sequence)
        }
        static func == (lhs: QueueKey, rhs: QueueKey) -> Bool { lhs.sequence == rhs.sequence }
    }

    /// A peer of the session.
    struct SessionPeer: Sendable {
        var useful: Bool
        /// Whether it is a dedicated source (an HTTP source the planner added), asked first while unmeasured.
        var isDedicatedSource = false
        var window = PeerWindow()
        /// CIDs requested from this peer and not received.
        var requested: Set<CID> = []
        /// CIDs this peer said it does not have.
        var missing: Set<CID> = []
        /// CIDs requested from this peer and then cancelled or re-requested elsewhere: a block of these arriving
        /// later is a duplicate of this fetch.
        var abandoned: Set<CID> = []
        var lastProgress: ExchangeInstant
        var stalls = 0
    }

    let id: FetchID
    let root: CID
    let configuration: ExchangeConfiguration
    /// The byte range still wanted: [lower, upper); `upper` shrinks to the file size once the root arrived.
    private(set) var lower: UInt64
    private(set) var upper: UInt64
    /// The next file byte to deliver.
    private(set) var cursor: UInt64
    /// Whether read-ahead counts from what the reader consumed (``consumed``) rather than from what was delivered.
    let pacedByReader: Bool
    /// Whether the file bytes go out as ``ExchangeDirective/deliver(_:offset:bytes:)``; a fetch into the store
    /// only (`false`) keeps just the lengths of blocks waiting for the ones before them.
    let deliversBytes: Bool
    /// Whether the fetch's leaves are handed out as ``ExchangeDirective/referenceLeaf(_:_:)`` instead of being
    /// stored: only for a whole file whose bytes are delivered (a shell writes them to a file).
    let referencesLeaves: Bool
    /// Leaves handed out as references so far (at most ``ExchangeConfiguration/maxReferencedLeavesPerFetch``).
    private(set) var referencedLeaves = 0
    /// A background fetch (a precache): its wants carry priorities below every foreground want's, and while a
    /// foreground fetch runs it yields (``isYielding``).
    let isBackground: Bool
    /// Set by the instance while a foreground fetch runs: this background fetch cancels what it asked, then asks for
    /// one block at a time at most every ``ExchangeConfiguration/yieldingRequestInterval``, nothing in endgame or
    /// tail balance, and its peers are not counted as stalled.
    private(set) var isYielding = false
    /// When the yielding fetch last asked for a block.
    private var yieldingRequestAt: ExchangeInstant?
    /// The file bytes the reader has taken (``acknowledge(upTo:now:outbox:)``); equals ``cursor`` when the fetch is
    /// not paced by its reader.
    private(set) var consumed: UInt64
    private(set) var fileSize: UInt64?
    private(set) var statistics: FetchStatistics

    private var pending: [CID: Pending] = [:]
    private var queue = Heap<QueueKey>()
    private var sequence: UInt64 = 0
    /// Verified file bytes waiting for the bytes before them, keyed by their (range-clipped) offset: the bytes, or
    /// only their count when the fetch does not deliver bytes.
    private var ready: [UInt64: (bytes: ArraySlice<UInt8>, count: UInt64)] = [:]
    private(set) var peers: [ExchangePeer: SessionPeer] = [:]
    /// Session peers in the order they joined (deterministic iteration).
    private var peerOrder: [ExchangePeer] = []
    private var rotation = 0
    /// Peers asked `WANT_BLOCK` for the root before they said `HAVE` (``ExchangeConfiguration/optimisticRootPeers``).
    private var optimisticRootRequests = 0
    /// The estimated bytes of the blocks endgame asked of a second peer or tail balance moved so far
    /// (``endgameBudget``).
    private var endgameBytes = 0
    private(set) var failure: FetchFailure?

    /// Whether every byte of the range was delivered.
    var isComplete: Bool { fileSize != nil && pending.isEmpty && cursor >= upper }
    /// Blocks known and not yet received.
    var pendingCount: Int { pending.count }
    /// Blocks held for in-order delivery.
    var readyCount: Int { ready.count }

    init(
        id: FetchID,
        root: CID,
        range: Range<UInt64>?,
        pacedByReader: Bool = false,
        deliversBytes: Bool = true,
        referencesLeaves: Bool = false,
        isBackground: Bool = false,
        configuration: ExchangeConfiguration,
        now: ExchangeInstant
    ) {
        self.pacedByReader = pacedByReader && deliversBytes
        self.deliversBytes = deliversBytes
        self.referencesLeaves = referencesLeaves && deliversBytes && range == nil
        self.isBackground = isBackground
        self.id = id
        self.root = root
        self.configuration = configuration
        self.lower = range?.lowerBound ?? 0
        self.upper = range?.upperBound ?? .max
        self.cursor = lower
        self.consumed = lower
        self.statistics = FetchStatistics(startedAt: now)
        addPlacement(root, Placement(offset: 0, depth: 0), estimatedBytes: configuration.unknownBlockSizeEstimate)
    }

    /// Whether the fetch waits for this block.
    func wants(_ cid: CID) -> Bool { pending[cid] != nil }

    /// A background fetch starts or stops yielding to foreground fetches; when it stops, the caller schedules it.
    /// When it starts, its requests are cancelled (a server that has not sent the blocks yet drops them; blocks on
    /// their way are still taken) and go back to the queue.
    mutating func setYielding(_ yielding: Bool, now: ExchangeInstant, outbox: inout Outbox) {
        guard isBackground, yielding != isYielding else { return }
        isYielding = yielding
        // The time spent yielding is not the peers' fault: their stall clocks start again.
        for peer in peerOrder { peers[peer]?.lastProgress = now }
        guard yielding else { return }
        yieldingRequestAt = now
        for peer in peerOrder {
            guard let requested = peers[peer]?.requested else { continue }
            for cid in requested.sorted(by: { fileOrder($0) < fileOrder($1) }) {
                outbox.cancel(cid, to: peer)
                release(cid, from: peer)
            }
        }
    }

    /// Whether a yielding fetch may ask for its next block now: nothing outstanding, and the interval passed.
    private func mayAskWhileYielding(now: ExchangeInstant) -> Bool {
        guard peers.values.allSatisfy({ $0.requested.isEmpty }) else { return false }
        guard let last = yieldingRequestAt else { return true }
        return now - last >= configuration.yieldingRequestInterval
    }

    // MARK: Peers

    /// Adds a peer: a provider is useful at once. Any other peer is asked for the root: while the root has not
    /// arrived, the first ``ExchangeConfiguration/optimisticRootPeers`` peers are asked `WANT_BLOCK` (a peer that
    /// has it answers with the block, one round trip sooner), the rest `WANT_HAVE`. A peer becomes useful, and is
    /// asked for other blocks, once it said `HAVE` or sent a block; a `DONT_HAVE` for the root takes it out.
    ///
    /// A dedicated source (`isDedicatedSource`: an HTTP source the planner added) not measured yet is asked before
    /// peers not measured yet (``pickPeer(for:excluding:)``): it joins because the origin policy wants HTTP from the
    /// start, so the first blocks are its.
    mutating func addPeer(
        _ peer: ExchangePeer,
        isProvider: Bool,
        isDedicatedSource: Bool = false,
        now: ExchangeInstant,
        outbox: inout Outbox
    ) {
        if var known = peers[peer] {
            if isProvider && !known.useful {
                known.useful = true
                peers[peer] = known
                requestRootAlongsideOptimistic(from: peer, now: now, outbox: &outbox)
            }
            return
        }
        guard peers.count < configuration.maxSessionPeers else { return }
        peers[peer] = SessionPeer(useful: isProvider, isDedicatedSource: isDedicatedSource, lastProgress: now)
        peerOrder.append(peer)
        if isProvider {
            requestRootAlongsideOptimistic(from: peer, now: now, outbox: &outbox)
        } else if fileSize == nil, pending[root] != nil, optimisticRootRequests < configuration.optimisticRootPeers {
            optimisticRootRequests += 1
            request(root, from: peer, now: now, outbox: &outbox)
        } else {
            outbox.wantHave(ExchangeWant(cid: root, priority: .max, sendDontHave: true), to: peer)
        }
    }

    /// A provider joined while the root is asked only from peers not known to have it (optimistic `WANT_BLOCK`s):
    /// the provider is asked too rather than waiting for their answers; the copy that comes second is cancelled.
    private mutating func requestRootAlongsideOptimistic(
        from provider: ExchangePeer,
        now: ExchangeInstant,
        outbox: inout Outbox
    ) {
        guard fileSize == nil, let block = pending[root], !block.requests.isEmpty,
            block.requests.allSatisfy({ peers[$0.peer]?.useful != true })
        else { return }
        request(root, from: provider, now: now, outbox: &outbox)
    }

    /// Where the pending block `cid`, asked of `peer`, sits in the file: its first placement's offset within the
    /// file (not the range) and its estimated length; `nil` when it is not pending or not asked of `peer`.
    func placement(of cid: CID, askedOf peer: ExchangePeer) -> (offset: UInt64, length: Int)? {
        guard let block = pending[cid], block.requests.contains(where: { $0.peer == peer }),
            let first = block.placements.first
        else { return nil }
        return (first.offset, block.estimatedBytes)
    }

    /// Removes a peer (disconnected, or no use): its requests go back to the queue.
    mutating func removePeer(_ peer: ExchangePeer) {
        guard let state = peers.removeValue(forKey: peer) else { return }
        peerOrder.removeAll { $0 == peer }
        for cid in state.requested.sorted(by: { fileOrder($0) < fileOrder($1) }) {
            release(cid, from: peer)
        }
    }

    /// The peer said `HAVE`.
    mutating func handleHave(_ cid: CID, from peer: ExchangePeer) {
        guard peers[peer] != nil else { return }
        peers[peer]!.useful = true
        peers[peer]!.missing.remove(cid)
    }

    /// The peer said `DONT_HAVE`: it is not asked for the block again; a peer that lacks the root is no use, except
    /// a dedicated source (an HTTP origin serves the file's raw leaves and none of its DAG's nodes, the root
    /// included: it stays for the leaves).
    mutating func handleDontHave(_ cid: CID, from peer: ExchangePeer, isDedicatedSource: Bool = false) {
        guard let state = peers[peer] else { return }
        if cid == root && (!state.useful || fileSize == nil) && !isDedicatedSource {
            removePeer(peer)
            return
        }
        guard state.missing.count < configuration.maxMissingPerPeer else {
            removePeer(peer)
            return
        }
        peers[peer]!.missing.insert(cid)
        if state.requested.contains(cid) {
            peers[peer]!.requested.remove(cid)
            release(cid, from: peer)
        }
    }

    /// Takes `cid`'s request from `peer` back; the block is queued again when no other peer holds it.
    private mutating func release(_ cid: CID, from peer: ExchangePeer) {
        guard withdraw(cid, from: peer), var block = pending[cid] else { return }
        if block.requests.isEmpty && !block.queued {
            block.queued = true
            queue.insert(block.key)
            statistics.rerequests += 1
            pending[cid] = block
        }
    }

    /// Takes `peer`'s request for `cid` off the block and off the peer's books (a copy it sends anyway is a
    /// duplicate); `false` when there was none.
    private mutating func withdraw(_ cid: CID, from peer: ExchangePeer) -> Bool {
        guard var block = pending[cid], let index = block.requests.firstIndex(where: { $0.peer == peer }) else {
            return false
        }
        let request = block.requests.remove(at: index)
        pending[cid] = block
        if peers[peer] != nil {
            peers[peer]!.window.outstandingBytes -= request.estimatedBytes
            peers[peer]!.requested.remove(cid)
            peers[peer]!.abandoned.insert(cid)
        }
        return true
    }

    /// Where a pending block comes in the queue, for sorting (unknown blocks last).
    private func fileOrder(_ cid: CID) -> (UInt64, UInt64) {
        guard let key = pending[cid]?.key else { return (.max, .max) }
        return (key.offset, key.sequence)
    }

    // MARK: Blocks

    /// A block this fetch does not wait for arrived: if it had asked this peer for it before (then cancelled or
    /// re-requested it elsewhere), it is a duplicate of this fetch.
    mutating func noteUnwanted(_ cid: CID, byteCount: Int, from peer: ExchangePeer) {
        guard peers[peer]?.abandoned.remove(cid) != nil else { return }
        if cid == root { peers[peer]!.useful = true }
        statistics.duplicateBytes += UInt64(byteCount)
        statistics.duplicateBlocks += 1
        statistics.peers[peer, default: .init()].duplicateBytes += UInt64(byteCount)
    }

    /// Takes a verified block (hashed by the caller) that the fetch waits for. Returns whether the fetch handed it
    /// out as a reference (``ExchangeDirective/referenceLeaf(_:_:)``), so that it need not be stored.
    @discardableResult
    mutating func receive(
        _ block: Block,
        from peer: ExchangePeer,
        relayed: Bool = false,
        now: ExchangeInstant,
        outbox: inout Outbox,
        directives: inout [ExchangeDirective]
    ) -> Bool {
        let cid = block.cid
        let byteCount = block.bytes.count
        guard let entry = pending.removeValue(forKey: cid) else {
            noteUnwanted(cid, byteCount: byteCount, from: peer)
            return false
        }
        var sampled = false
        for request in entry.requests {
            guard peers[request.peer] != nil else { continue }
            peers[request.peer]!.requested.remove(cid)
            peers[request.peer]!.window.outstandingBytes -= request.estimatedBytes
            if request.peer == peer {
                peers[peer]!.window.sample(
                    byteCount: byteCount, sentAt: request.sentAt, deliveredAtSend: request.deliveredAtSend, now: now,
                    configuration: configuration)
                sampled = true
            } else {
                outbox.cancel(cid, to: request.peer)
                peers[request.peer]!.abandoned.insert(cid)
                if !peers[request.peer]!.useful {
                    // An optimistic request for the root: ask whether the peer has it, so that a holder joins.
                    outbox.wantHave(ExchangeWant(cid: root, priority: .max, sendDontHave: true), to: request.peer)
                }
            }
        }
        if peers[peer] != nil {
            if !sampled { peers[peer]!.window.countDelivered(byteCount) }
            peers[peer]!.abandoned.remove(cid)
            peers[peer]!.lastProgress = now
            peers[peer]!.stalls = 0
            peers[peer]!.useful = true
        }
        statistics.blockBytes += UInt64(byteCount)
        statistics.blocks += 1
        statistics.peers[peer, default: .init()].countBlock(byteCount: byteCount, relayed: relayed, at: now)

        let leafBytes: Int?
        do throws(FetchFailure) {
            leafBytes = try place(block, at: entry.placements)
        } catch {
            failure = error
            return false
        }
        var referenced = false
        if let leafBytes, referencesLeaves, referencedLeaves < configuration.maxReferencedLeavesPerFetch,
            let first = entry.placements.min(by: { $0.offset < $1.offset }),
            let reference = FileReference(block: block, atFileOffset: first.offset), reference.length == leafBytes
        {
            referencedLeaves += 1
            directives.append(.referenceLeaf(id, reference))
            referenced = true
        }
        deliverReady(now: now, directives: &directives)
        return referenced
    }

    /// Puts a block's file bytes in the ready table and its children in the queue; returns the count of its file
    /// bytes when it is a leaf of the file (file bytes and no links), else `nil`.
    private mutating func place(_ block: Block, at placements: [Placement]) throws(FetchFailure) -> Int? {
        let cid = block.cid
        let own: ArraySlice<UInt8>
        var links: [PBLink] = []
        var sizes: [UInt64] = []
        var total: UInt64
        switch cid.codec {
        case .raw:
            own = block.bytes[...]
            total = UInt64(own.count)
        case .dagPB:
            let node: PBNode
            let unixfs: UnixFSData
            do { node = try PBNode(decoding: block.bytes) } catch { throw .invalidDAG(cid, "\(error)") }
            guard let data = node.data else { throw .invalidDAG(cid, "no UnixFS data") }
            do { unixfs = try UnixFSData(decoding: data) } catch { throw .invalidDAG(cid, "\(error)") }
            if unixfs.type != .file && unixfs.type != .raw {
                // A fetch into the store takes any UnixFS node as its root: a directory's or a symbolic link's
                // block is all of it that the fetch is about (whoever walks the tree fetches the entries).
                guard !deliversBytes, placements.allSatisfy({ $0.depth == 0 }) else {
                    throw .invalidDAG(cid, "not a file")
                }
                own = []
                total = 0
                break
            }
            guard unixfs.blocksizes.count == node.links.count else {
                throw .invalidDAG(cid, "\(node.links.count) links but \(unixfs.blocksizes.count) blocksizes")
            }
            own = (unixfs.data ?? [])[...]
            links = node.links
            sizes = unixfs.blocksizes
            total = UInt64(own.count)
            for size in sizes {
                let (sum, overflow) = total.addingReportingOverflow(size)
                guard !overflow else { throw .invalidDAG(cid, "blocksizes overflow") }
                total = sum
            }
            if let declared = unixfs.filesize, declared != total {
                throw .invalidDAG(cid, "filesize \(declared) but blocksizes add up to \(total)")
            }
        case .sha2_256:
            throw .invalidDAG(cid, "unsupported codec")
        }
        for placement in placements {
            if placement.depth == 0 {
                fileSize = total
                statistics.fileSize = total
                upper = min(upper, total)
                lower = min(lower, upper)
                cursor = max(cursor, lower)
                consumed = max(consumed, lower)
            }
            addReady(own, at: placement.offset)
            var childOffset = placement.offset + UInt64(own.count)
            for (index, link) in links.enumerated() {
                let size = sizes[index]
                if size > 0 && childOffset < upper && childOffset + size > lower {
                    // As deep as a local read allows and no deeper: a lying peer's endless chain ends here.
                    guard placement.depth < FileDAGWalker.maxDepth else { throw .dagTooDeep(link.hash) }
                    let estimate =
                        link.hash.codec == .raw
                        ? Int(min(size, UInt64(Block.maxByteCount))) : configuration.unknownBlockSizeEstimate
                    addPlacement(link.hash, Placement(offset: childOffset, depth: placement.depth + 1), estimatedBytes: estimate)
                }
                childOffset += size
            }
        }
        guard pending.count <= configuration.maxPendingBlocksPerFetch else { throw .dagTooWide }
        return links.isEmpty && !own.isEmpty ? own.count : nil
    }

    private mutating func addPlacement(_ cid: CID, _ placement: Placement, estimatedBytes: Int) {
        if pending[cid] != nil {
            pending[cid]!.placements.append(placement)
            return
        }
        sequence += 1
        let key = QueueKey(offset: placement.offset, depth: placement.depth, sequence: sequence, cid: cid)
        pending[cid] = Pending(key: key, placements: [placement], estimatedBytes: estimatedBytes)
        queue.insert(key)
    }

    private mutating func addReady(_ bytes: ArraySlice<UInt8>, at offset: UInt64) {
        let start = max(offset, lower)
        let end = min(offset + UInt64(bytes.count), upper)
        guard start < end else { return }
        let base = bytes.startIndex
        ready[start] = (deliversBytes ? bytes[(base + Int(start - offset))..<(base + Int(end - offset))] : [], end - start)
    }

    private mutating func deliverReady(now: ExchangeInstant, directives: inout [ExchangeDirective]) {
        while let piece = ready.removeValue(forKey: cursor) {
            if statistics.firstByteAt == nil { statistics.firstByteAt = now }
            if deliversBytes { directives.append(.deliver(id, offset: cursor, bytes: piece.bytes)) }
            cursor += piece.count
            statistics.bytesDelivered += piece.count
        }
        if !pacedByReader { consumed = cursor }
        if isComplete { statistics.finishedAt = now }
    }

    // MARK: Scheduling

    /// The reader took the file bytes before `offset`: read-ahead may move on (a fetch paced by its reader requests
    /// no block that starts ``ExchangeConfiguration/readAheadBytes`` or more past them).
    mutating func acknowledge(upTo offset: UInt64, now: ExchangeInstant, outbox: inout Outbox) {
        let offset = min(offset, cursor)
        guard offset > consumed else { return }
        consumed = offset
        schedule(now: now, outbox: &outbox)
    }

    /// Sends `WANT_BLOCK`s while useful peers have room and the read-ahead allows; then endgame duplicates.
    mutating func schedule(now: ExchangeInstant, outbox: inout Outbox) {
        guard failure == nil else { return }
        if isYielding && !mayAskWhileYielding(now: now) { return }
        var parked: [QueueKey] = []
        var exhausted = true
        while let top = queue.min {
            guard let block = pending[top.cid], block.queued, block.key.sequence == top.sequence else {
                queue.removeMin()
                continue
            }
            let (limit, overflow) = consumed.addingReportingOverflow(configuration.readAheadBytes)
            if fileSize != nil && !overflow && top.offset >= limit && top.offset > consumed {
                exhausted = false
                break
            }
            switch pickPeer(for: top.cid, excluding: nil) {
            case .peer(let peer):
                queue.removeMin()
                request(top.cid, from: peer, now: now, outbox: &outbox)
                if isYielding {
                    yieldingRequestAt = now
                    return
                }
            case .allMissing:
                queue.removeMin()
                parked.append(top)
            case .noRoom:
                exhausted = false
            }
            if !exhausted { break }
        }
        for key in parked { queue.insert(key) }
        if exhausted && parked.isEmpty && !isYielding {
            balanceTail(now: now, outbox: &outbox)
            endgame(now: now, outbox: &outbox)
        }
    }

    private enum Pick {
        case peer(ExchangePeer)
        case allMissing
        case noRoom
    }

    /// The useful peer with the most room in its window that may have the block, starting the scan at a rotating
    /// position so that equal peers take turns.
    private mutating func pickPeer(for cid: CID, excluding excluded: ExchangePeer?) -> Pick {
        var best: ExchangePeer?
        var bestRoom = 0
        var anyRoom = false
        var firstUnmeasured: ExchangePeer?
        let count = peerOrder.count
        guard count > 0 else { return .noRoom }
        rotation = (rotation + 1) % count
        for step in 0..<count {
            let peer = peerOrder[(rotation + step) % count]
            guard peer != excluded, let state = peers[peer], state.useful else { continue }
            let room = state.window.window(configuration) - state.window.outstandingBytes
            guard room > 0 else { continue }
            anyRoom = true
            guard !state.missing.contains(cid) else { continue }
            // A peer not measured yet, with nothing asked of it, is asked first: otherwise a fast peer whose window
            // grew keeps more room than a new peer's initial window, and takes every block of a small fetch. Of
            // those, a dedicated source before peers (the policy brought it in to serve from the start).
            if state.window.rate == 0 && state.window.outstandingBytes == 0 {
                if state.isDedicatedSource { return .peer(peer) }
                if firstUnmeasured == nil { firstUnmeasured = peer }
            }
            if room > bestRoom {
                best = peer
                bestRoom = room
            }
        }
        if let firstUnmeasured { return .peer(firstUnmeasured) }
        if let best { return .peer(best) }
        return anyRoom ? .allMissing : .noRoom
    }

    private mutating func request(_ cid: CID, from peer: ExchangePeer, now: ExchangeInstant, outbox: inout Outbox) {
        guard var block = pending[cid], var state = peers[peer] else { return }
        let request = Request(
            peer: peer, sentAt: now, deliveredAtSend: state.window.delivered,
            queuedAhead: state.window.outstandingBytes, estimatedBytes: block.estimatedBytes)
        block.requests.append(request)
        block.queued = false
        pending[cid] = block
        if state.requested.isEmpty { state.lastProgress = now }
        state.requested.insert(cid)
        state.abandoned.remove(cid)
        state.window.outstandingBytes += block.estimatedBytes
        peers[peer] = state
        // Earlier file bytes first: a re-requested early block overtakes later ones at the server. A background
        // fetch's wants sit in the lower half, below every foreground want of a file under 8 TiB, so a server that
        // holds both answers the foreground ones first.
        let band = isBackground ? UInt32.max >> 1 : UInt32.max
        let priority = band - min(band, UInt32(clamping: block.key.offset >> 12))
        outbox.wantBlock(ExchangeWant(cid: cid, priority: priority, sendDontHave: true), to: peer)
    }

    /// Endgame: every block left is requested and few remain. A block outstanding at one peer is asked of a second
    /// peer with room (whichever copy comes second is cancelled, or counted as duplicate if already on its way) when
    /// - it is late: outstanding for longer than ``ExchangeConfiguration/endgameLateness`` × the time its peer should
    ///   take from the request (the minimum round trip plus, at the peer's measured rate, the bytes queued ahead of
    ///   it and its own), so the peer slowed down; or
    /// - it is on time but still queued: what its peer should still take exceeds the lateness × what the second
    ///   peer would take for it, so a link that is idle at the tail fetches it sooner.
    /// Both are measured from the request: a block that waited behind others is not late for that, and a block its
    /// peer is sending now (little time left) is not asked again, which would only make a duplicate.
    ///
    /// Over the whole fetch, endgame asks again for at most ``endgameBudget`` bytes, earliest blocks first.
    private mutating func endgame(now: ExchangeInstant, outbox: inout Outbox) {
        guard fileSize != nil, !pending.isEmpty, pending.count <= configuration.endgameBlocks, isAtRealTail else {
            return
        }
        let budget = endgameBudget
        let lateness = configuration.endgameLateness
        let fallback = configuration.requestTimeoutFloor
        let outstanding = pending.values.filter { $0.requests.count == 1 }.sorted { $0.key < $1.key }
        for block in outstanding where endgameBytes + block.estimatedBytes <= budget {
            let first = block.requests[0]
            guard let owner = peers[first.peer] else { continue }
            let due = owner.window.expectedLatency(ofBytes: first.queuedAhead + first.estimatedBytes, fallback: fallback)
            let waited = now - first.sentAt
            let isLate = Double(waited.clampedNanoseconds) > lateness * Double(due.clampedNanoseconds)
            guard case .peer(let second) = pickPeer(for: block.key.cid, excluding: first.peer),
                let candidate = peers[second]
            else { continue }
            if !isLate {
                let remaining = due - waited
                let elsewhere = candidate.window.expectedLatency(
                    ofBytes: candidate.window.outstandingBytes + block.estimatedBytes, fallback: fallback)
                guard Double(remaining.clampedNanoseconds) > lateness * Double(elsewhere.clampedNanoseconds) else {
                    continue
                }
            }
            statistics.endgameRequests += 1
            endgameBytes += block.estimatedBytes
            request(block.key.cid, from: second, now: now, outbox: &outbox)
        }
    }

    /// Tail balance: once every block is requested, the block a peer would send last moves to the peer that would
    /// deliver it soonest, when that is clearly sooner: its requests and this block at its measured rate take less
    /// than the owner's requests less half this block (the owner is sending one now; the block waits behind at
    /// least another). The owner is sent `CANCEL`; a copy it sends anyway counts as a duplicate. Repeated while
    /// moves help, within the endgame budget (``endgameBudget``), shared with ``endgame(now:outbox:)``.
    ///
    /// Without it, a peer whose last request completes a block or two before the others' stays idle to the end: with
    /// 8 seeders at 20 Mbit/s, 256 KiB blocks (105 ms each) and two blocks in each window, the last blocks of a
    /// 64 MiB fetch arrived over 0.25–0.35 s, 7–9 % of the fetch.
    private mutating func balanceTail(now: ExchangeInstant, outbox: inout Outbox) {
        guard fileSize != nil, isAtRealTail else { return }
        let budget = endgameBudget
        for _ in 0..<peerOrder.count {
            guard let move = bestTailMove(), endgameBytes + move.estimatedBytes <= budget else { return }
            self.move(move.cid, from: move.owner, to: move.peer, now: now, outbox: &outbox)
        }
    }

    /// The move ``balanceTail(now:outbox:)`` makes next: the last block of the peer that drains its requests last,
    /// to the peer that would deliver it first; `nil` when that is not clearly sooner.
    private func bestTailMove() -> (cid: CID, estimatedBytes: Int, owner: ExchangePeer, peer: ExchangePeer)? {
        func drain(_ state: SessionPeer, adding bytes: Int = 0) -> Double {
            Double(state.window.outstandingBytes + bytes) / state.window.rate
        }
        var owner: (peer: ExchangePeer, drain: Double)?
        for peer in peerOrder {
            guard let state = peers[peer], state.window.rate > 0, state.requested.count > 1 else { continue }
            let time = drain(state)
            if time > owner?.drain ?? 0 { owner = (peer, time) }
        }
        guard let owner else { return nil }
        // The block the owner sends last: the server serves earlier file bytes first.
        var last: Pending?
        for cid in peers[owner.peer]!.requested {
            guard let block = pending[cid], block.requests.count == 1 else { continue }
            if last == nil || last!.key < block.key { last = block }
        }
        guard let last else { return nil }
        var best: (peer: ExchangePeer, time: Double)?
        for peer in peerOrder where peer != owner.peer {
            guard let state = peers[peer], state.useful, state.window.rate > 0,
                state.window.hasRoom(configuration), !state.missing.contains(last.key.cid)
            else { continue }
            let time = drain(state, adding: last.estimatedBytes)
            if time < best?.time ?? .infinity { best = (peer, time) }
        }
        let ownerRate = peers[owner.peer]!.window.rate
        guard let best, best.time < owner.drain - Double(last.estimatedBytes) / 2 / ownerRate else { return nil }
        return (last.key.cid, last.estimatedBytes, owner.peer, best.peer)
    }

    /// Takes `cid`'s request from `owner` (with a `CANCEL`) and sends it to `peer`.
    private mutating func move(
        _ cid: CID,
        from owner: ExchangePeer,
        to peer: ExchangePeer,
        now: ExchangeInstant,
        outbox: inout Outbox
    ) {
        guard withdraw(cid, from: owner), let block = pending[cid] else { return }
        outbox.cancel(cid, to: owner)
        statistics.movedRequests += 1
        endgameBytes += block.estimatedBytes
        request(cid, from: peer, now: now, outbox: &outbox)
    }

    /// Whether no dag-pb node is pending: while one is, its children are still to come and an empty queue is not the
    /// tail (with the second of a 64 MiB file's two interior nodes queued at a 1 MB/s seeder behind two leaves,
    /// endgame spent its whole budget 1.7 s before the end).
    private var isAtRealTail: Bool {
        pending.values.allSatisfy { $0.key.cid.codec == .raw }
    }

    /// The bytes endgame may ask of a second peer, and tail balance move, over this fetch:
    /// ``ExchangeConfiguration/endgameBudgetShare`` of the bytes the fetch covers (the file, or the range's part of
    /// it), at least ``ExchangeConfiguration/endgameBudgetFloor``.
    private var endgameBudget: Int {
        let covered = Double(upper > lower ? upper - lower : 0)
        let share = min(configuration.endgameBudgetShare * covered, Double(Int.max / 2))
        return max(configuration.endgameBudgetFloor, Int(share))
    }

    /// Stall detection: a peer holding requests that delivered nothing for its timeout loses them (they are
    /// queued again) and its measurements; after ``ExchangeConfiguration/maxStallsPerPeer`` stalls it leaves.
    mutating func checkStalls(now: ExchangeInstant) {
        guard !isYielding else { return }
        for peer in peerOrder {
            guard let state = peers[peer], !state.requested.isEmpty else { continue }
            if now - state.lastProgress <= stallTimeout(state.window) { continue }
            if state.stalls + 1 >= configuration.maxStallsPerPeer {
                removePeer(peer)
                continue
            }
            for cid in state.requested.sorted(by: { fileOrder($0) < fileOrder($1) }) {
                release(cid, from: peer)
            }
            peers[peer]!.window.reset()
            peers[peer]!.stalls += 1
            peers[peer]!.lastProgress = now
        }
    }

    /// max(floor, RTTs × minimum RTT + 2 × window / rate).
    private func stallTimeout(_ window: PeerWindow) -> Duration {
        let floor = configuration.requestTimeoutFloor
        guard let minRTT = window.minRTT, window.rate > 0 else { return floor }
        let drain = 2 * Double(window.window(configuration)) / window.rate
        let seconds = configuration.requestTimeoutRTTs * Double(minRTT.clampedNanoseconds) / 1e9 + drain
        return max(floor, .nanoseconds(Int64(min(seconds, 1e6) * 1e9)))
    }

    /// Cancels every outstanding request (the fetch is over).
    mutating func cancelAll(outbox: inout Outbox) {
        for key in pending.values.map(\.key).sorted() {
            for request in pending[key.cid]?.requests ?? [] { outbox.cancel(key.cid, to: request.peer) }
        }
        pending = [:]
    }

    /// Marks the statistics finished (a failed or cancelled fetch).
    mutating func finish(now: ExchangeInstant) {
        if statistics.finishedAt == nil { statistics.finishedAt = now }
    }
}
