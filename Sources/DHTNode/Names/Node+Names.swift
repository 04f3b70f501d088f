import DHTCrypto
import Kademlia
import Names

extension Node {
    /// Publishes `value` (`/ipfs/CID[/path]` or `/ipns/NAME`) under the IPNS name of `key` (the node's identity when
    /// `nil`): signs a record one sequence above the newest this node knows or finds on the DHT, stores it on the k
    /// nodes closest to the name, and keeps it alive: the core stores it again every
    /// ``Kademlia/RecordLimits/mutableRecordRepublishInterval``, and the node signs a fresh one (the next sequence, a
    /// new validity) when half of `lifetime` has passed, until it stops.
    ///
    /// - Parameters:
    ///   - lifetime: how long the record stays valid (IPNS `Validity`); holders keep it at most 48 h.
    ///   - ttl: how long resolvers may cache it.
    /// - Throws: ``NodeError/recordTooLarge(bytes:limit:)``, ``NodeError/invalidNameRecord(_:)``,
    ///   ``NodeError/tooManyNames(limit:)``, ``NodeError/noReachableNodes`` (the record is kept and announced when
    ///   the node gains contacts, as ``provide(_:)`` does).
    @discardableResult
    public func publish(
        _ value: String,
        key: NodeIdentity? = nil,
        lifetime: Duration = .seconds(48 * 3600),
        ttl: Duration = .seconds(300)
    ) async throws -> NamePublication {
        let key = key ?? configuration.identity
        let name = IPNSName(publicKey: key.publicKey)
        let limit = configuration.kademlia.records.maxPublished
        let (known, count) = names.withLockedValue { ($0.publications[name]?.record, $0.publications.count) }
        guard known != nil || count < limit else { throw NodeError.tooManyNames(limit: limit) }
        // The next sequence: above ours and above whatever the network holds (the key may have published from
        // another node, or before a restart).
        var newest = known
        if let found = try? await lookupRecord(of: name).record, newest.map({ found.isNewer(than: $0) }) ?? true {
            newest = found
        }
        let sequence = newest.map { $0.sequence + 1 } ?? 0
        let record = try makeRecord(value: value, sequence: sequence, lifetime: lifetime, ttl: ttl, key: key)
        names.withLockedValue { state in
            state.publications[name]?.renewal?.cancel()
            state.publications[name] = NameState.Publication(
                key: key, value: value, lifetime: lifetime, ttl: ttl, record: record, renewal: nil)
            state.cache.removeValue(for: name)
        }
        scheduleRenewal(of: name, after: lifetime / 2)
        let routingKey = name.routingKey
        let report = try await announce { core, now in
            core.putRecord(MutableRecord(routingKey: routingKey, bytes: record.bytes), now: now)
        }
        return NamePublication(name: name, record: record, report: report)
    }

    /// Stops publishing `name`: no more renewals or republications (the copies stored expire on their own).
    public func unpublish(_ name: IPNSName) async {
        let routingKey = name.routingKey
        names.withLockedValue { $0.publications.removeValue(forKey: name)?.renewal?.cancel() }
        _ = try? await runtime.eventLoop.submit { [runtime] in
            runtime.update { $0.stopPublishingRecord(routingKey) }
        }.get()
    }

    /// The names this node publishes, with their current records.
    public var publishedNames: [IPNSName: IPNSRecord] {
        names.withLockedValue { $0.publications.mapValues(\.record) }
    }

    /// The newest valid record of `name`: from the cache while a record resolved before is within its TTL, else from
    /// a GET_RECORD lookup that asks several of the nodes closest to the name (and sends the newest record to those
    /// that answered with an older one). A name this node publishes answers with its own record when no node holds
    /// a newer one.
    ///
    /// - Throws: ``NodeError/nameNotFound(_:)`` when no node holds a valid record, ``NodeError/noReachableNodes``.
    public func resolve(_ name: IPNSName) async throws -> ResolvedName {
        let clock = ContinuousClock()
        let now = clock.now
        let (cached, published) = names.withLockedValue { state in
            (state.cache[name].flatMap { $0.until > now ? $0.record : nil }, state.publications[name]?.record)
        }
        if let cached { return ResolvedName(name: name, record: cached, source: .cache, resolution: nil) }

        let found: (record: IPNSRecord?, summary: RecordResolutionSummary)
        do {
            found = try await lookupRecord(of: name)
        } catch NodeError.noReachableNodes where published != nil {
            return ResolvedName(name: name, record: published!, source: .published, resolution: nil)
        }
        let record: IPNSRecord
        let source: ResolvedName.Source
        switch (found.record, published) {
        case (let network?, let own?): (record, source) = own.isNewer(than: network) ? (own, .published) : (network, .network)
        case (let network?, nil): (record, source) = (network, .network)
        case (nil, let own?): (record, source) = (own, .published)
        case (nil, nil): throw NodeError.nameNotFound(name.description)
        }
        let keep = min(record.ttl, record.validity.duration(since: IPNSTime.now()))
        if keep > .zero {
            names.withLockedValue { $0.cache.insert(NameState.Cached(record: record, until: now + keep), for: name) }
        }
        return ResolvedName(name: name, record: record, source: source, resolution: found.summary)
    }

    // MARK: - Internals

    /// A GET_RECORD lookup for `name`: the newest valid record the nodes hold (or this node holds), validated again
    /// here for the IPNS fields.
    func lookupRecord(of name: IPNSName) async throws -> (record: IPNSRecord?, summary: RecordResolutionSummary) {
        let routingKey = name.routingKey
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await run(lookup: .getRecord) { core, now in core.getRecord(routingKey, now: now) }
        guard case .resolved(let resolution) = result else { throw Self.failure(result) }
        guard resolution.lookup.reachedNetwork || resolution.record != nil else { throw NodeError.noReachableNodes }
        let summary = RecordResolutionSummary(
            messagesSent: resolution.lookup.messagesSent,
            responses: resolution.lookup.responses,
            hops: resolution.lookup.hops,
            validAnswers: resolution.validAnswers,
            invalidAnswers: resolution.invalidAnswers,
            corrected: resolution.corrected,
            elapsed: clock.now - started
        )
        let record = resolution.record.flatMap { try? IPNSRecord(validating: $0.bytes, for: name, now: IPNSTime.now()) }
        return (record, summary)
    }

    private func makeRecord(
        value: String,
        sequence: UInt64,
        lifetime: Duration,
        ttl: Duration,
        key: NodeIdentity
    ) throws -> IPNSRecord {
        guard let validity = IPNSTime.now().adding(lifetime) else {
            throw NodeError.invalidNameRecord("a lifetime of \(lifetime) ends past year 9999")
        }
        let record: IPNSRecord
        do {
            record = try IPNSRecord.make(value: value, sequence: sequence, validity: validity, ttl: ttl, key: key)
        } catch {
            throw NodeError.invalidNameRecord(error.description)
        }
        let limit = configuration.kademlia.records.maxRecordBytes
        guard record.bytes.count <= limit else { throw NodeError.recordTooLarge(bytes: record.bytes.count, limit: limit) }
        return record
    }

    /// Signs and publishes a fresh record of `name` after `delay`, and again after each half lifetime.
    private func scheduleRenewal(of name: IPNSName, after delay: Duration) {
        let task = Task { [weak self] in
            try? await Task.sleep(for: max(delay, .seconds(1)))
            guard !Task.isCancelled, let self else { return }
            await self.renew(name)
        }
        let kept = names.withLockedValue { state -> Bool in
            guard state.renewing, state.publications[name] != nil else { return false }
            state.publications[name]!.renewal = task
            return true
        }
        if !kept { task.cancel() }
    }

    private func renew(_ name: IPNSName) async {
        guard let publication = names.withLockedValue({ $0.publications[name] }) else { return }
        do {
            try await publish(
                publication.value, key: publication.key, lifetime: publication.lifetime, ttl: publication.ttl)
        } catch NodeError.notRunning {
            return
        } catch {
            // Kept by the core for the next contacts (no reachable node), or refused for good: either way the next
            // attempt is the next half lifetime's.
            logger.warning("renewing /ipns/\(name) failed: \(error)")
            scheduleRenewal(of: name, after: publication.lifetime / 2)
        }
    }

    /// Cancels every renewal (the node is stopping).
    func stopRenewingNames() {
        names.withLockedValue { state in
            state.renewing = false
            for publication in state.publications.values { publication.renewal?.cancel() }
        }
    }
}
