import Blocks
import DHTCrypto
import Exchange
import Kademlia
import NIOCore
import NIOPosix

extension RecordKey {
    /// The DHT key under which the providers of `cid` are announced: SHA-256 of its multihash, so that a CIDv0
    /// and a CIDv1 of the same bytes (and the raw and dag-pb codecs) share their providers (docs/PROTOCOL.md,
    /// "Provider keys").
    public init(providing cid: CID) {
        self = NodeID(hashing: cid.multihash.bytes)
    }
}

extension ExchangePeer {
    /// The exchange name of the node with ID `id` (the same 32 bytes).
    public init(_ id: NodeID) {
        self.init(id: SHA256Digest(bytes: id.bytes)!)
    }
}

extension Node {
    /// Announces this node as a provider of `cid` (a file's root, usually) on the nodes closest to its key
    /// (``Kademlia/RecordKey/init(providing:)``), and re-announces it until the node stops.
    @discardableResult
    public func provide(_ cid: CID) async throws -> PublishReport {
        try await provide(RecordKey(providing: cid))
    }

    /// Opens an exchange connection to `contact` (its TCP port is its UDP port), checking that the node that
    /// answers is `contact.id`. Fetches started later ask it; a connection that is open already is kept. A relayed
    /// contact (a node behind a NAT, in a provider record) is connected to through its relay.
    ///
    /// - Throws: ``NodeError/noContentStore`` without a content configuration; the transport's error otherwise.
    public func connect(to contact: Contact) async throws {
        guard let exchange else { throw NodeError.noContentStore }
        if contact.relayed {
            try await exchange.connect(through: contact.address.socketAddress, expectingPeer: ExchangePeer(contact.id))
            return
        }
        try await exchange.connect(to: contact.address.socketAddress, expectingPeer: ExchangePeer(contact.id))
    }

    /// Fetches the UnixFS file (or raw block) `root`, or the bytes of `range` in it, and yields its bytes in file
    /// order as soon as they are verified (``ContentFetch``).
    ///
    /// Connected peers are asked at once, the session rendezvous' members first (`WANT_BLOCK` for the root to the
    /// first few, which answer with the block when they have it, `WANT_HAVE` to the rest), and at the same time the
    /// DHT is asked for the root's providers: each one found is connected to and sent `WANT_BLOCK`s. The search repeats every
    /// ``ContentConfiguration/providerSearchInterval`` while the fetch runs, so providers that turn up later join
    /// it. A fetch that gets no block for ``ContentConfiguration/unavailableTimeout`` ends with
    /// ``NodeError/contentUnavailable(_:bytesDelivered:)``.
    ///
    /// Blocks already in the node's own store are fetched again (the exchange does not read its own store yet).
    ///
    /// - Throws: ``NodeError/noContentStore`` without a content configuration.
    public func cat(_ root: CID, range: Range<UInt64>? = nil) async throws -> ContentFetch {
        try await cat(root, range: range, deliversBytes: true)
    }

    /// ``cat(_:range:)`` drawing on `sources` besides peers (trustless gateways, under an origin policy) instead of
    /// the node's default ``ContentConfiguration/httpSources``.
    public func cat(_ root: CID, range: Range<UInt64>? = nil, sources: FetchSources) async throws -> ContentFetch {
        try await cat(root, range: range, deliversBytes: true, sources: sources)
    }

    /// ``cat(_:range:)`` of a file inside a DAG whose root is `dagRoot`: the DHT is asked for the providers of
    /// `dagRoot` (what gets announced) instead of the file's.
    public func cat(_ file: CID, range: Range<UInt64>? = nil, providersOf dagRoot: CID) async throws -> ContentFetch {
        try await cat(file, range: range, deliversBytes: true, providersOf: dagRoot)
    }

    /// ``cat(_:range:sources:)`` of a whole file for a caller that writes its bytes, in order from the first, to a
    /// file: the file's leaves are not put into the node's store (they would be written twice), and once
    /// ``ContentFetch/bytes`` ended, ``ContentFetch/leafReferences`` say where each lies in that file, for a store
    /// that keeps them as references (``Blocks/FileBlockStore/addReferences(_:inFile:name:)``). Its other blocks are
    /// stored as usual.
    public func catReferencingLeaves(_ root: CID, sources: FetchSources? = nil) async throws -> ContentFetch {
        try await cat(root, range: nil, deliversBytes: true, referencesLeaves: true, sources: sources)
    }

    /// ``cat(_:range:)``; with `deliversBytes: false` the fetch only fills the store (its bytes yield nothing).
    /// With `searchesProviders: false` the DHT is not asked for `root`'s providers: only the peers connected already
    /// are (the entries of a tree whose root's providers were found and connected). With `providersOf`, the
    /// providers searched for are those of that CID (a DAG's root) rather than `root`'s.
    func cat(
        _ root: CID,
        range: Range<UInt64>?,
        deliversBytes: Bool,
        referencesLeaves: Bool = false,
        searchesProviders: Bool = true,
        providersOf dagRoot: CID? = nil,
        sources: FetchSources? = nil,
        background: Bool = false
    ) async throws -> ContentFetch {
        guard let exchange, let content = configuration.content else { throw NodeError.noContentStore }
        // Blocks and handshake transcripts are hashed by OpenSSL: load it while the first lookup is under way.
        SHA256.prepareInBackground()
        let sources = sources ?? content.httpSources
        var attached: [ExchangePeer] = []
        for source in sources.all { attached.append(try await exchange.attachHTTPSource(source)) }
        let fetch = try await exchange.fetch(
            root, range: range, preferring: Set(rendezvousMembers.map(ExchangePeer.init)), deliversBytes: deliversBytes,
            referencesLeaves: referencesLeaves, background: background)
        var plan = FetchPlannerConfiguration()
        plan.providerSearchInterval = content.providerSearchInterval
        plan.unavailableTimeout = content.unavailableTimeout
        plan.maxProviderConnections = content.maxProviderConnections
        plan.originPolicy = sources.policy
        plan.fallbackDelay = sources.fallbackDelay
        plan.prefetchDuration = sources.prefetchDuration
        plan.searchesProviders = searchesProviders
        let driver = FetchDriver(
            node: self, root: root, key: RecordKey(providing: dagRoot ?? root), fetch: fetch, exchange: exchange,
            configuration: plan, sources: attached, httpSources: sources.all)
        let background = Task {
            await driver.run()
            do {
                try await NIOThreadPool.singleton.runIfActive { try content.store.flush() }
            } catch {
                self.logger.error("cannot flush fetched blocks", metadata: ["root": "\(root)", "error": "\(error)"])
            }
        }
        return ContentFetch(
            root: root, exchangeFetch: fetch, exchange: exchange, background: background, store: content.store,
            httpSources: sources.urlsByPeer)
    }

    /// Fetches the whole file `root` into the store (its bytes are verified and dropped), waits until the blocks
    /// are durable, and returns the fetch's statistics.
    ///
    /// `root` may also be a directory's or a symbolic link's node: then only that block is fetched (see
    /// ``fetchTree(_:)`` for a whole tree).
    public func fetch(_ root: CID) async throws -> FetchStatistics {
        try await fetch(root, searchesProviders: true)
    }

    private func fetch(
        _ root: CID,
        searchesProviders: Bool,
        sources: FetchSources? = nil,
        background: Bool = false
    ) async throws -> FetchStatistics {
        let fetch = try await cat(
            root, range: nil, deliversBytes: false, searchesProviders: searchesProviders, sources: sources,
            background: background)
        try await fetch.stored()
        return fetch.statistics ?? FetchStatistics(startedAt: .zero)
    }

    /// Fetches the one block `cid` into the store (a directory's node, a file's root: nothing below it) and waits
    /// until it is durable. Connected peers are asked at once, and the DHT is asked for the providers of `root`
    /// (the DAG's root, which is what gets announced; `cid` itself when `nil`).
    ///
    /// - Throws: as ``fetch(_:)``.
    public func fetchBlock(_ cid: CID, providersOf root: CID? = nil) async throws {
        // A walk of an empty range asks for the root block and nothing else, whatever kind of node it is.
        try await cat(cid, range: 0..<0, deliversBytes: false, providersOf: root ?? cid).stored()
    }

    /// Fetches everything under `root` into the store: a file's blocks, or a directory's nodes and every file,
    /// directory and symbolic link below it (a few entries at a time), each block verified. The DHT is asked for
    /// the providers of `root` only (a tree is announced by its root); the entries are asked of the peers connected
    /// then. Returns the root's fetch statistics with the
    /// entries' blocks, bytes and peers added.
    ///
    /// - Throws: what ``fetch(_:)`` throws for any block of the tree; ``FetchFailure/invalidDAG(_:_:)`` for a
    ///   HAMT-sharded directory, which is not read yet.
    public func fetchTree(_ root: CID) async throws -> FetchStatistics {
        try await fetchTree(root, sources: nil)
    }

    /// ``fetchTree(_:)`` drawing on `sources` besides peers (the node's ``ContentConfiguration/httpSources`` when
    /// `nil`). The tree's entries search no providers, so their HTTP sources join at once.
    public func fetchTree(_ root: CID, sources: FetchSources?) async throws -> FetchStatistics {
        try await fetchTree(root, sources: sources, background: false)
    }

    /// Fetches everything under `root` into the store as ``fetchTree(_:)`` does, in the background: at a lower
    /// priority than every other fetch, on the capacity they leave (their wants are answered first by servers
    /// holding both; while one runs, each peer has at most one request of this fetch outstanding). For a CDN
    /// node that fills its cache ahead of its users (`dhtnode precache`); the blocks are not pinned.
    ///
    /// - Throws: as ``fetchTree(_:)``.
    public func precache(_ root: CID, sources: FetchSources? = nil) async throws -> FetchStatistics {
        try await fetchTree(root, sources: sources, background: true)
    }

    private func fetchTree(_ root: CID, sources: FetchSources?, background: Bool) async throws -> FetchStatistics {
        guard let content = configuration.content else { throw NodeError.noContentStore }
        var statistics = try await fetch(root, searchesProviders: true, sources: sources, background: background)
        // Entries still to fetch, from every directory reached so far; each fetched node is decoded once, and a
        // directory's entries join the queue.
        var waiting = try await fetchedEntries(of: root, in: content.store, sources: sources, background: background)
        try await withThrowingTaskGroup(of: (CID, FetchStatistics?).self) { group in
            var running = 0
            func startWaiting() {
                while running < Self.treeFetchWidth, let entry = waiting.popLast() {
                    running += 1
                    group.addTask {
                        // A small file is one raw block: one already here is not asked for again.
                        if entry.codec == .raw, content.store.hasBlock(entry) { return (entry, nil) }
                        return (
                            entry,
                            try await self.fetch(
                                entry, searchesProviders: false, sources: sources, background: background)
                        )
                    }
                }
            }
            startWaiting()
            while let (entry, fetched) = try await group.next() {
                running -= 1
                if let fetched { statistics.absorb(fetched) }
                waiting += try await fetchedEntries(
                    of: entry, in: content.store, sources: sources, background: background)
                startWaiting()
            }
        }
        return statistics
    }

    /// The entries of the node `cid`, just fetched. A store with a cache (the daemon's, with a small budget) may have
    /// evicted it meanwhile: a file's root arrives first and is the least recently used of its blocks by the end of
    /// the fetch. Then that one node is fetched again and read at once.
    private func fetchedEntries(
        of cid: CID,
        in store: some ContentStore,
        sources: FetchSources?,
        background: Bool
    ) async throws -> [CID] {
        do {
            return try Self.entries(of: cid, in: store)
        } catch let error as DAGReadError {
            guard case .blockNotFound = error else { throw error }
            try await cat(
                cid, range: 0..<0, deliversBytes: false, searchesProviders: false, sources: sources,
                background: background
            ).stored()
            return try Self.entries(of: cid, in: store)
        }
    }

    /// How many entries of a directory ``fetchTree(_:)`` fetches at once.
    static var treeFetchWidth: Int { 4 }

    /// The CIDs a directory node links to (nothing for a file or a symbolic link; a raw block is a file, unread).
    private static func entries(of cid: CID, in store: some ContentStore) throws -> [CID] {
        guard cid.codec != .raw else { return [] }
        guard let block = try store.getVerified(cid) else { throw DAGReadError.blockNotFound(cid) }
        switch try UnixFSNode(decoding: block) {
        case .directory(let entries): return entries.map(\.cid)
        case .file, .symlink: return []
        case .hamtShard: throw FetchFailure.invalidDAG(cid, "a HAMT-sharded directory, which is not supported yet")
        }
    }
}

extension NodeID {
    /// The record key a user means by `text` in `provide` and `providers`: a CID names the key its providers are
    /// announced under (``Kademlia/RecordKey/init(providing:)``); anything else is read as by ``init(naming:)``.
    public init(namingContent text: String) {
        if text.count > 2 * NodeID.byteCount || text.hasPrefix("b") || text.hasPrefix("Qm"),
            let cid = try? CID(parsing: text)
        {
            self = RecordKey(providing: cid)
        } else {
            self = NodeID(naming: text)
        }
    }
}
