/// A Kademlia node as a pure state machine: events go in, directives come out.
///
/// It owns no socket, reads no clock and draws randomness only from the generator seeded at creation. The shell
/// (the daemon's UDP service, a test, or the simulator) feeds it:
/// - ``handleMessage(_:from:now:)`` for every decoded datagram,
/// - ``handleTimeout(_:now:)`` when a ``KademliaDirective/scheduleTimeout(_:at:)`` comes due,
/// - ``tick(now:)`` when a ``KademliaDirective/scheduleTick(at:)`` comes due,
/// and starts operations with ``bootstrap(from:now:)``, ``findNode(_:now:)``, ``findValue(_:now:)``,
/// ``getProviders(_:now:)``, ``put(_:value:ttl:now:)``, ``provide(_:now:)``, ``getRecord(_:now:)``,
/// ``putRecord(_:now:)`` and ``ping(_:now:)``. It carries out the returned directives in order.
///
/// Protocol rules it enforces:
/// - A contact enters the routing table only after it answered a request of ours from its address; an unknown
///   node that sends us a request is pinged first when the table would take it. With
///   ``ContactAdmission/afterPong`` only a pong admits a newcomer; its other answers start such a ping.
/// - Responses are matched on transaction ID and source address; an answer from another ID than the one asked
///   counts as a failure of the one asked.
/// - Timeouts come from per-contact RTT estimates (or the node's overall estimate for contacts without one),
///   growing by ``KademliaConfiguration/retransmissionBackoff`` for each retransmission, capped at
///   ``KademliaConfiguration/maximumTimeout``.
/// - Maintenance (record expiry, refresh of idle buckets, republishing own records) happens in ``tick(now:)``,
///   which always says when it wants to run next.
/// - A STORE or ADD_PROVIDER is accepted only for a key this node believes itself among the k closest to
///   (``holdsRecords(for:excluding:)``); the stores then apply their caps and evict the records farthest from our
///   ID first (``ValueStore``, ``ProviderStore``).
/// - A mutable record (``MutableRecord``) is kept, answered with and counted only when the
///   ``MutableRecordValidator`` given at creation finds it valid; a store keeps the best one per key
///   (``MutableRecordStore``), and a GET_RECORD lookup sends its best record to the nodes that answered with an older
///   one. Without a validator, the node refuses every mutable record and holds none.
/// - At most ``KademliaConfiguration/maxVerificationsPerNetwork`` unknown requesters of one IPv4 /24 or IPv6 /64 are
///   being verified at once: a flood of requests with fresh IDs from forged addresses of one network draws a bounded
///   number of pings to it.
public struct KademliaInstance: Sendable {
    /// Our node ID.
    public let localID: NodeID
    /// The tuning in force.
    public let configuration: KademliaConfiguration
    /// The routing table.
    public internal(set) var routingTable: RoutingTable
    /// Values held for others.
    public private(set) var values: ValueStore
    /// Provider records held for others.
    public private(set) var providers: ProviderStore
    /// Mutable records held for others.
    public private(set) var records: MutableRecordStore
    /// Judges mutable records (`nil`: none is accepted).
    public let recordValidator: (any MutableRecordValidator)?
    /// What is left of the second's record validations for others (``RecordLimits/recordValidationsPerSecond``).
    private var validationBudget: TokenBucket
    /// Counters for metrics and tests.
    public internal(set) var statistics = Statistics()
    /// Whether this node can be reached from outside (dial-backs; ``ReachabilityConfiguration``).
    public internal(set) var reachability: Reachability
    /// The relays a client reaches others through (its reservations, ``setRelays(_:now:)``): its provider records
    /// name them.
    public private(set) var relayAddresses: [NodeAddress] = []

    var random: SeededRandom
    private var networkRTT = RTTEstimate()
    private(set) var pending: [TransactionID: PendingRequest] = [:]
    private var operations: [OperationID: Operation] = [:]
    private var lookups: [OperationID: Lookup] = [:]
    /// Nodes being verified with a ping, and the /24 or /64 each counts against.
    private var verifying: [NodeID: AddressPrefix] = [:]
    /// Verifications under way per IPv4 /24 or IPv6 /64; a prefix with none has no entry.
    private var verifyingPerNetwork: [AddressPrefix: Int] = [:]
    private var published: [PublishedKey: Published] = [:]
    /// When a tick was asked for to announce the records that reached nobody, after the table gained a contact.
    private var unannouncedWake: DHTInstant?
    /// The seeds of the last bootstrap, kept to join again when the routing table runs empty.
    public private(set) var bootstrapSeeds: [NodeAddress] = []
    private var bootstrapping: OperationID?
    private var nextOperation: UInt64 = 1
    /// The earliest ``KademliaDirective/scheduleTick(at:)`` asked for since the last tick (`nil`: only the one of
    /// ``start(now:)``, at most a maintenance interval away).
    var tickAsked: DHTInstant?
    /// Dial-backs of others being served: waiting for a helper to send the probe.
    var relays: [UInt64: DialRelay] = [:]
    var nextRelay: UInt64 = 1
    /// Whether the shell can send a `DIAL_PROBE` from an address other than the node's (a probe socket). Without
    /// one, `DIAL_REQUEST`s are refused: a probe from the node's own address proves nothing to its target.
    public var canSendProbes = true
    /// Budgets of the dial-back service (``DialBackLimits``).
    var dialBackBudgets: DialBackBudgets

    /// Counters of what the instance saw and did.
    public struct Statistics: Hashable, Sendable {
        /// Requests received and answered.
        public var requestsAnswered = 0
        /// Responses matched to a request of ours.
        public var responsesMatched = 0
        /// Responses with an unknown transaction ID or from another address than the request went to.
        public var responsesUnmatched = 0
        /// Requests of ours that timed out (each retransmission counts).
        public var timeouts = 0
        /// Requests sent (retransmissions included).
        public var requestsSent = 0
        /// Announcements of own records (a PUT or PROVIDE, by a command or a republication) that at least one
        /// node accepted.
        public var announcementsAccepted = 0
        /// Announcements of own records that reached no node (queued for another attempt).
        public var announcementsUnanswered = 0
        /// STOREs refused, by reason (evictions are counted by the store: ``ValueStore/evictions``).
        public var valuesRefused: [StoreRejection: Int] = [:]
        /// ADD_PROVIDERs refused, by reason (evictions: ``ProviderStore/evictions``).
        public var providersRefused: [StoreRejection: Int] = [:]
        /// PUT_RECORDs refused, by reason (evictions: ``MutableRecordStore/evictions``).
        public var recordsRefused: [StoreRejection: Int] = [:]
        /// PUT_RECORDs refused as ``StoreRejection/invalidRecord``, by the validator's reason.
        public var invalidRecordsRefused: [String: Int] = [:]
        /// Records in answers to our GET_RECORD lookups that the validator refused.
        public var invalidRecordAnswers = 0
        /// PUT_RECORDs sent to nodes that answered a GET_RECORD lookup with an older record.
        public var recordsCorrected = 0
        /// Unknown requesters not verified because
        /// ``KademliaConfiguration/maxVerificationsPerNetwork`` of their /24 or /64 were being verified.
        public var verificationsSkippedForNetwork = 0
        /// `DIAL_BACK`s of others answered, by status.
        public var dialBacksServed: [DialStatus: Int] = [:]
        /// `DIAL_REQUEST`s answered, by status (``DialStatus/probed``: a probe was sent).
        public var dialRequestsServed: [DialStatus: Int] = [:]
        /// Requests left unanswered because this node runs as a client.
        public var requestsIgnoredAsClient = 0
        /// Contacts dropped from the routing table because they sent a request flagged `CLIENT`.
        public var clientsRemoved = 0
    }

    /// Creates a node with an empty routing table.
    ///
    /// - Parameters:
    ///   - localID: our ID, SHA-256 of our public key.
    ///   - configuration: the tuning.
    ///   - recordValidator: the rules of mutable records (``getRecord(_:now:)``, ``putRecord(_:now:)``); `nil` to
    ///     take part in none.
    ///   - seed: seeds the instance's generator (transaction IDs, refresh targets). The daemon draws it from the
    ///     system's CSPRNG; tests and the simulator pick it to make runs reproducible.
    ///   - now: the current instant.
    public init(
        localID: NodeID,
        configuration: KademliaConfiguration = KademliaConfiguration(),
        recordValidator: (any MutableRecordValidator)? = nil,
        seed: UInt64,
        now: DHTInstant
    ) {
        self.localID = localID
        self.configuration = configuration
        self.recordValidator = recordValidator
        self.records = MutableRecordStore(limits: configuration.records, localID: localID)
        self.validationBudget = TokenBucket(
            rate: configuration.records.recordValidationsPerSecond,
            burst: 2 * configuration.records.recordValidationsPerSecond, now: now)
        self.routingTable = RoutingTable(localID: localID, configuration: configuration.routingTable, now: now)
        self.values = ValueStore(limits: configuration.records, localID: localID)
        self.providers = ProviderStore(limits: configuration.records, localID: localID)
        self.random = SeededRandom(seed: seed)
        self.reachability = Reachability(configuration: configuration.reachability)
        self.dialBackBudgets = DialBackBudgets(configuration.reachability)
    }

    /// Operations under way.
    public var operationCount: Int { operations.count }
    /// Requests of ours waiting for an answer.
    public var pendingRequestCount: Int { pending.count }

    // MARK: - Commands

    /// Starts maintenance: returns the first ``KademliaDirective/scheduleTick(at:)``.
    public func start(now: DHTInstant) -> [KademliaDirective] {
        var next = now + configuration.maintenanceInterval
        // A table restored before the start has its first dial-backs due within a second or so.
        if let due = reachability.nextDeadline { next = min(next, max(due, now + .milliseconds(1))) }
        return [.scheduleTick(at: next)]
    }

    /// Adds a contact known from elsewhere (a persisted table) as if it had just answered. Use only for contacts
    /// that did answer us before.
    public mutating func restore(_ contact: Contact, now: DHTInstant) {
        routingTable.observe(contact, now: now)
        // Restored contacts never pass through admission, which is what starts the reachability checks: a node
        // restarted behind a NAT must find out it is private as soon as a fresh one does.
        _ = reachability.contactAvailable(now: now)
    }

    /// The live records, for persistence: values and provider records held for others with what is left of their
    /// lifetimes, and our own records with the time to their next republication. Ordered by key (then oldest
    /// first, values before provider records for our own), so the same state gives the same snapshot.
    ///
    /// Of the records held for others, those of the keys nearest our ID are kept, at most
    /// ``RecordLimits/maxSavedRecordsPerStore`` values and as many provider records.
    public func recordSnapshot(now: DHTInstant) -> RecordSnapshot {
        let saved = configuration.records.maxSavedRecordsPerStore
        return RecordSnapshot(
            values: values.liveValues(now: now, nearest: saved).map {
                RecordSnapshot.HeldValue(key: $0.key, value: $0.value, source: $0.source, remaining: $0.expiresAt - now)
            },
            providers: providers.liveProviders(now: now, nearest: saved).map {
                RecordSnapshot.HeldProvider(key: $0.key, provider: $0.provider, remaining: $0.expiresAt - now)
            },
            records: records.liveRecords(now: now, nearest: saved).map {
                RecordSnapshot.HeldRecord(record: $0.record, source: $0.source, remaining: $0.expiresAt - now)
            },
            own: publishedInOrder().map { key, record in
                let untilRepublish = max(.zero, record.nextRepublish - now)
                switch record.kind {
                case .value(let value, let ttl):
                    return RecordSnapshot.OwnRecord(key: key.key, value: value, ttl: ttl, untilRepublish: untilRepublish)
                case .record(let record):
                    return RecordSnapshot.OwnRecord(
                        key: key.key,
                        value: nil,
                        ttl: configuration.records.mutableRecordTTL,
                        untilRepublish: untilRepublish,
                        record: record
                    )
                case .provider:
                    return RecordSnapshot.OwnRecord(
                        key: key.key,
                        value: nil,
                        ttl: configuration.records.providerTTL,
                        untilRepublish: untilRepublish
                    )
                }
            }
        )
    }

    /// Takes back the records of a ``recordSnapshot(now:)`` (of this node, before a restart). Held records go
    /// through the stores' usual caps and lifetimes; records whose lifetime has run out are skipped. Own records
    /// are republished by ``tick(now:)`` when due (at once for those that were due already), as if published here.
    public mutating func restoreRecords(_ snapshot: RecordSnapshot, now: DHTInstant) {
        for held in snapshot.values where held.remaining > .zero {
            _ = values.store(
                held.value,
                under: held.key,
                ttl: held.remaining,
                from: held.source,
                elsewhere: usage(of: held.source, except: .value),
                now: now
            )
        }
        for held in snapshot.providers where held.remaining > .zero {
            _ = providers.add(
                held.provider,
                for: held.key,
                ttl: held.remaining,
                elsewhere: usage(of: held.provider.address.host, except: .provider),
                now: now
            )
        }
        // Held records are judged again: one that expired or that the validator no longer takes is left out.
        for held in snapshot.records where held.remaining > .zero {
            guard let recordValidator else { break }
            var verdict = recordValidator.validate(held.record)
            if case .valid(var rank) = verdict {
                rank.validFor = min(rank.validFor, held.remaining)
                verdict = .valid(rank)
            }
            _ = records.store(
                held.record,
                verdict: verdict,
                from: held.source,
                elsewhere: usage(of: held.source, except: .record),
                now: now
            )
        }
        for record in snapshot.own {
            let key = PublishedKey(key: record.key, kind: record.record != nil ? .record : record.value == nil ? .provider : .value)
            let interval: Duration
            let kind: Published.Kind
            if let mutable = record.record {
                interval = configuration.records.mutableRecordRepublishInterval
                kind = .record(mutable)
            } else if let value = record.value {
                interval = configuration.records.valueRepublishInterval
                kind = .value(value, ttl: record.ttl)
            } else {
                interval = configuration.records.providerRepublishInterval
                kind = .provider
            }
            // Announced before the restart (or due soon when it was not): kept on its schedule, not all at once when
            // the table's first contact comes back.
            remember(
                key, kind, interval: interval, firstRepublish: now + max(.zero, record.untilRepublish),
                announced: true, now: now)
        }
    }

    /// Joins the network: asks each seed address for the contacts closest to our ID, then looks up our own ID.
    /// With no seeds, looks up our own ID from the routing table (a restarted node with a persisted table).
    /// With no seeds and an empty table, bootstraps again from the seeds of the last bootstrap.
    public mutating func bootstrap(from seeds: [NodeAddress], now: DHTInstant) -> (OperationID, [KademliaDirective]) {
        var directives: [KademliaDirective] = []
        let id = startBootstrap(from: seeds, notifies: true, now: now, into: &directives)
        return (id ?? refusedID(), directives)
    }

    @discardableResult
    private mutating func startBootstrap(
        from given: [NodeAddress],
        notifies: Bool,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) -> OperationID? {
        if !given.isEmpty { bootstrapSeeds = Array(given.prefix(64)) }
        let seeds = given.isEmpty && routingTable.count == 0 ? bootstrapSeeds : given
        guard let id = beginOperation(.bootstrap, notifies: notifies, into: &directives) else { return nil }
        bootstrapping = id
        if seeds.isEmpty {
            startLookup(id, kind: .findNode, target: localID, extraSeeds: [], now: now, into: &directives)
        } else {
            operations[id]?.seedsPending = seeds.count
            for seed in seeds {
                sendRequest(
                    .findNode(localID),
                    to: seed,
                    expectedID: nil,
                    purpose: .bootstrapSeed(id),
                    attempt: 1,
                    now: now,
                    into: &directives
                )
            }
        }
        return id
    }

    /// Looks up the k nodes closest to `target`.
    public mutating func findNode(_ target: NodeID, now: DHTInstant) -> (OperationID, [KademliaDirective]) {
        startOperation(.findNode, lookup: .findNode, target: target, now: now)
    }

    /// Looks up the values under `key`; completes at once when this node holds some.
    public mutating func findValue(_ key: RecordKey, now: DHTInstant) -> (OperationID, [KademliaDirective]) {
        let local = values.values(for: key, now: now)
        guard local.isEmpty else {
            var directives: [KademliaDirective] = []
            guard let id = beginOperation(.findValue, notifies: true, into: &directives) else {
                return (refusedID(), directives)
            }
            let result = LookupResult(
                target: key,
                kind: .findValue,
                outcome: .valueFound,
                closest: [],
                hops: 0,
                messagesSent: 0,
                responses: 0,
                timeouts: 0,
                values: local,
                providers: []
            )
            complete(id, .lookup(result), into: &directives)
            return (id, directives)
        }
        return startOperation(.findValue, lookup: .findValue, target: key, now: now)
    }

    /// Looks up the providers of `key` (those this node holds are included). The lookup ends once it has `wanted`
    /// distinct providers (``LookupConfiguration/providersWanted`` when `nil`): a fetch that connects to the first
    /// provider it hears of asks for 1 and saves the rounds a converging lookup would take. Providers are reported
    /// as they are heard of, with ``KademliaDirective/providersFound(_:_:)`` (those held here first).
    public mutating func getProviders(
        _ key: RecordKey,
        wanted: Int? = nil,
        now: DHTInstant
    ) -> (OperationID, [KademliaDirective]) {
        var lookup = configuration.lookup
        if let wanted { lookup.providersWanted = max(1, wanted) }
        var (id, directives) = startOperation(
            .getProviders,
            lookup: .getProviders,
            target: key,
            configuration: lookup,
            now: now
        )
        reportProviders(providers.providers(for: key, now: now), of: id, into: &directives)
        return (id, directives)
    }

    /// Stores `value` on the k nodes closest to `key`, and again every
    /// ``RecordLimits/valueRepublishInterval`` while this node runs.
    public mutating func put(
        _ key: RecordKey,
        value: [UInt8],
        ttl: Duration? = nil,
        now: DHTInstant
    ) -> (OperationID, [KademliaDirective]) {
        let ttl = ttl ?? configuration.records.valueTTL
        remember(
            PublishedKey(key: key, kind: .value),
            .value(value, ttl: ttl),
            interval: configuration.records.valueRepublishInterval,
            now: now
        )
        return startOperation(.put(key, value, ttl), lookup: .findNode, target: key, now: now)
    }

    /// Announces this node as a provider of `key` on the k nodes closest to it, and again every
    /// ``RecordLimits/providerRepublishInterval`` while this node runs.
    public mutating func provide(_ key: RecordKey, now: DHTInstant) -> (OperationID, [KademliaDirective]) {
        remember(
            PublishedKey(key: key, kind: .provider),
            .provider,
            interval: configuration.records.providerRepublishInterval,
            now: now
        )
        return startOperation(.provide(key), lookup: .findNode, target: key, now: now)
    }

    /// Sets the relays this node is reached through while it is a client, and announces its provider records
    /// again at once when they changed, so that the records name the relays it holds now.
    public mutating func setRelays(_ relays: [NodeAddress], now: DHTInstant) -> [KademliaDirective] {
        guard relays != relayAddresses else { return [] }
        relayAddresses = relays
        guard isClient else { return [] }
        for (key, record) in published where key.kind == .provider && record.nextRepublish > now {
            published[key]?.nextRepublish = now
        }
        // The next tick announces them; one is asked for now unless one is due already.
        if let asked = tickAsked, asked <= now { return [] }
        tickAsked = now
        return [.scheduleTick(at: now)]
    }

    /// Stops republishing a value or provider record of ours (records already stored expire on their own).
    public mutating func stopPublishing(_ key: RecordKey, provider: Bool) {
        published[PublishedKey(key: key, kind: provider ? .provider : .value)] = nil
    }

    /// Looks up the mutable record under `routingKey`: asks the nodes closest to its key (SHA-256 of the routing
    /// key) until ``LookupConfiguration/recordsWanted`` of them answered with a valid record, or the lookup
    /// converged; the record this node holds counts as the first candidate. Completes with
    /// ``OperationResult/resolved(_:)`` carrying the best valid record, and sends that record (a `PUT_RECORD`) to every
    /// node that answered with an older one.
    public mutating func getRecord(_ routingKey: [UInt8], now: DHTInstant) -> (OperationID, [KademliaDirective]) {
        var directives: [KademliaDirective] = []
        guard let id = beginOperation(.getRecord(routingKey: routingKey), notifies: true, into: &directives) else {
            return (refusedID(), directives)
        }
        let key = RecordKey(routingKey: routingKey)
        if let held = records.record(for: key, now: now), case .valid(let rank)? = recordValidator?.validate(held) {
            operations[id]?.recordSearch = RecordSearch(best: held, rank: rank, validUntil: now + rank.validFor)
            operations[id]?.recordSearch.heldLocally = true
        }
        startLookup(id, kind: .getRecord, target: key, extraSeeds: [], now: now, into: &directives)
        return (id, directives)
    }

    /// Stores `record` on the k nodes closest to its key, and again every
    /// ``RecordLimits/mutableRecordRepublishInterval`` while this node runs and the record stays valid (a record of
    /// ours under the same routing key is replaced). A record the validator refuses is published nowhere: the
    /// operation completes at once with no node asked.
    public mutating func putRecord(_ record: MutableRecord, now: DHTInstant) -> (OperationID, [KademliaDirective]) {
        guard case .valid? = recordValidator?.validate(record), record.bytes.count <= configuration.records.maxRecordBytes
        else {
            var directives: [KademliaDirective] = []
            guard let id = beginOperation(.putRecord(record), notifies: true, into: &directives) else {
                return (refusedID(), directives)
            }
            let empty = Lookup(
                target: record.key, kind: .findNode, seeds: [], localID: localID, configuration: configuration.lookup)
            complete(id, .published(lookup: empty.result, accepted: 0, asked: 0), into: &directives)
            return (id, directives)
        }
        remember(
            PublishedKey(key: record.key, kind: .record),
            .record(record),
            interval: configuration.records.mutableRecordRepublishInterval,
            now: now
        )
        return startOperation(.putRecord(record), lookup: .findNode, target: record.key, now: now)
    }

    /// Stops republishing our mutable record under `routingKey` (copies already stored expire on their own).
    public mutating func stopPublishingRecord(_ routingKey: [UInt8]) {
        published[PublishedKey(key: RecordKey(routingKey: routingKey), kind: .record)] = nil
    }

    /// Pings an address; the result names the contact that answered.
    public mutating func ping(_ address: NodeAddress, now: DHTInstant) -> (OperationID, [KademliaDirective]) {
        var directives: [KademliaDirective] = []
        guard let id = beginOperation(.ping, notifies: true, into: &directives) else {
            return (refusedID(), directives)
        }
        sendRequest(.ping, to: address, expectedID: nil, purpose: .ping(id), attempt: 1, now: now, into: &directives)
        return (id, directives)
    }

    // MARK: - Events

    /// Takes a decoded, authenticated message from `address`.
    public mutating func handleMessage(
        _ message: KademliaMessage,
        from address: NodeAddress,
        now: DHTInstant
    ) -> [KademliaDirective] {
        guard message.sender != localID else { return [] }
        var directives: [KademliaDirective] = []
        switch message.body {
        case .request(let request):
            handleRequest(request, message: message, from: address, now: now, into: &directives)
        case .response(let response):
            handleResponse(response, message: message, from: address, now: now, into: &directives)
        }
        return directives
    }

    /// Takes the timeout of a request; harmless when its answer came first.
    public mutating func handleTimeout(_ transactionID: TransactionID, now: DHTInstant) -> [KademliaDirective] {
        guard let request = pending.removeValue(forKey: transactionID) else { return [] }
        statistics.timeouts += 1
        defer { if pending.isEmpty { releaseIdleStorage() } }
        var directives: [KademliaDirective] = []
        switch request.purpose {
        case .lookup(let id):
            guard let expected = request.expectedID else { break }
            switch lookups[id]?.handleTimeout(of: expected) ?? .ignore {
            case .retry(let query):
                sendRequest(
                    request.request,
                    to: query.contact.address,
                    expectedID: expected,
                    purpose: request.purpose,
                    attempt: query.attempt,
                    now: now,
                    into: &directives
                )
            case .gaveUp(let contact):
                routingTable.recordFailure(of: contact.id, now: now)
            case .ignore:
                break
            }
            advance(id, now: now, into: &directives)
        case .publish(let id):
            if request.attempt < configuration.storeAttempts {
                retransmit(request, now: now, into: &directives)
            } else {
                if let expected = request.expectedID { routingTable.recordFailure(of: expected, now: now) }
                publishAnswered(id, accepted: false, now: now, into: &directives)
            }
        case .correction, .farewell:
            break
        case .dialBack(let nonce):
            dialBackUnanswered(nonce, now: now, into: &directives)
        case .dialRelay(let relay):
            if let expected = request.expectedID { routingTable.recordFailure(of: expected, now: now) }
            relayAnswered(relay, status: nil, now: now, into: &directives)
        case .ping, .verification, .evictionCheck, .bootstrapSeed:
            let attempts: Int
            if case .bootstrapSeed = request.purpose {
                attempts = configuration.lookup.attemptsPerContact
            } else {
                attempts = configuration.pingAttempts
            }
            if request.attempt < attempts {
                retransmit(request, now: now, into: &directives)
                break
            }
            if let expected = request.expectedID {
                routingTable.recordFailure(of: expected, now: now)
                endVerification(of: expected)
            }
            if case .ping(let id) = request.purpose {
                complete(id, .ping(nil, rtt: nil), into: &directives)
            }
            if case .bootstrapSeed(let id) = request.purpose {
                seedSettled(id, answeredWith: nil, now: now, into: &directives)
            }
        }
        return directives
    }

    /// Runs maintenance: expires records, refreshes idle buckets, republishes own records; ends with the next
    /// ``KademliaDirective/scheduleTick(at:)``.
    public mutating func tick(now: DHTInstant) -> [KademliaDirective] {
        var directives: [KademliaDirective] = []
        if let wake = unannouncedWake, wake <= now { unannouncedWake = nil }
        values.expire(now: now)
        providers.expire(now: now)
        records.expire(now: now)
        if routingTable.count == 0, !bootstrapSeeds.isEmpty, bootstrapping.map({ operations[$0] == nil }) ?? true {
            // Lost every contact (or never got one): join again from the seeds we were given.
            startBootstrap(from: [], notifies: false, now: now, into: &directives)
        }
        for index in routingTable.bucketsDueForRefresh(now: now, interval: configuration.bucketRefreshInterval) {
            let target = localID.randomID(sharingPrefixLength: index, using: &random)
            guard let id = beginOperation(.refresh, notifies: false, into: &directives) else { break }
            startLookup(id, kind: .findNode, target: target, extraSeeds: [], now: now, into: &directives)
        }
        for (key, record) in publishedInOrder(dueBy: now) {
            let kind: Operation.Kind
            switch record.kind {
            case .value(let value, let ttl): kind = .put(key.key, value, ttl)
            case .provider: kind = .provide(key.key)
            case .record(let mutable):
                // A record whose validity ended is not spread again: its owner signs a new one, or it is gone.
                guard case .valid? = recordValidator?.validate(mutable) else {
                    published[key] = nil
                    continue
                }
                kind = .putRecord(mutable)
            }
            guard let id = beginOperation(kind, notifies: false, into: &directives) else { break }
            published[key]?.nextRepublish = now + record.interval
            startLookup(id, kind: .findNode, target: key.key, extraSeeds: [], now: now, into: &directives)
        }
        tickAsked = nil
        runReachability(change: reachability.tick(now: now), now: now, into: &directives)
        var next = now + configuration.maintenanceInterval
        if let refresh = routingTable.nextRefreshDeadline(interval: configuration.bucketRefreshInterval) {
            next = min(next, refresh)
        }
        for record in published.values { next = min(next, record.nextRepublish) }
        if let due = reachability.nextDeadline { next = min(next, due) }
        if let asked = tickAsked { next = min(next, asked) }
        next = max(next, now + .milliseconds(1))
        tickAsked = next
        directives.append(.scheduleTick(at: next))
        return directives
    }

    // MARK: - Requests from others

    private mutating func handleRequest(
        _ request: KademliaRequest,
        message: KademliaMessage,
        from address: NodeAddress,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        let sender = Contact(id: message.sender, address: address)
        if case .dialProbe(let nonce) = request {
            // A probe is never answered: it arriving is the message.
            let change = reachability.probeArrived(nonce: nonce, from: address, now: now)
            runReachability(change: change, now: now, into: &directives)
            return
        }
        guard !isClient else {
            // A client serves nothing: whoever still holds it finds it failing, and drops it.
            statistics.requestsIgnoredAsClient += 1
            return
        }
        if message.isClient { forgetClient(sender) }
        let k = configuration.lookup.resultSize
        let response: KademliaResponse
        switch request {
        case .dialBack(let nonce):
            guard let answer = serveDialBack(nonce: nonce, message: message, from: address, now: now, into: &directives)
            else {
                // Answered once a helper sent the probe, or none could.
                statistics.requestsAnswered += 1
                if !message.isClient { startVerification(of: sender, capsNetwork: true, now: now, into: &directives) }
                return
            }
            response = answer
        case .dialRequest(let nonce, let target):
            response = serveDialRequest(nonce: nonce, target: target, from: address, now: now, into: &directives)
        case .dialProbe:
            return
        case .ping:
            response = .pong
        case .findNode(let target):
            response = .nodes(routingTable.closest(to: target, count: k, excluding: sender.id))
        case .findValue(let key):
            let held = values.values(for: key, now: now)
            response =
                held.isEmpty ? .nodes(routingTable.closest(to: key, count: k, excluding: sender.id)) : .values(held)
        case .getProviders(let key):
            response = .providers(
                Array(providers.providers(for: key, now: now).suffix(k)),
                closer: routingTable.closest(to: key, count: k, excluding: sender.id)
            )
        case .store(let key, let value, let ttl):
            var outcome = StoreOutcome.rejected(.notClosest)
            if holdsRecords(for: key, excluding: sender.id) {
                outcome = values.store(
                    DHTValue(publisher: sender.id, data: value),
                    under: key,
                    ttl: ttl,
                    from: address.host,
                    elsewhere: usage(of: address.host, except: .value),
                    now: now
                )
            }
            if case .rejected(let reason) = outcome { statistics.valuesRefused[reason, default: 0] += 1 }
            response = .stored(outcome)
        case .addProvider(let key, let relays):
            var outcome = StoreOutcome.rejected(.notClosest)
            if holdsRecords(for: key, excluding: sender.id) {
                // A provider that names relays is recorded at each of them (and no longer at its own address);
                // its records count against the caps of the address the request came from, whatever it names.
                let elsewhere = usage(of: address.host, except: .provider)
                outcome =
                    relays.isEmpty
                    ? providers.add(sender, for: key, elsewhere: elsewhere, now: now)
                    : providers.add(
                        relays.map { Contact(id: sender.id, address: $0, relayed: true) }, for: key,
                        from: address.host, elsewhere: elsewhere, now: now)
            }
            if case .rejected(let reason) = outcome { statistics.providersRefused[reason, default: 0] += 1 }
            response = .stored(outcome)
        case .getRecord(let key):
            response = .record(
                records.record(for: key, now: now)?.bytes,
                closer: routingTable.closest(to: key, count: k, excluding: sender.id)
            )
        case .putRecord(let record):
            response = .stored(storeRecord(record, from: address.host, sender: sender.id, now: now))
        }
        statistics.requestsAnswered += 1
        reachability.noteSent(to: address, now: now)
        directives.append(
            .send(
                KademliaMessage(transactionID: message.transactionID, sender: localID, body: .response(response)),
                to: address
            )
        )

        // An unknown node that the table would take is verified with a ping of ours before it may enter. Its address
        // has proven nothing (it may be forged): its network's share of verifications is capped. A client is not
        // verified: it said it cannot be reached.
        if !message.isClient { startVerification(of: sender, capsNetwork: true, now: now, into: &directives) }
    }

    /// Whether this node takes STOREs and ADD_PROVIDERs for `key`: it knows fewer than k contacts (k =
    /// ``LookupConfiguration/resultSize``) closer to the key than itself, not counting `sender` (a publisher asks
    /// the k closest nodes other than itself) or contacts that failed.
    ///
    /// A node that is among the k closest nodes of the network always passes: fewer than k nodes exist closer to
    /// the key. A young table, with fewer than k contacts in all, passes every key: it cannot tell yet, and the
    /// stores' caps and farthest-first eviction bound what it takes. Once the table holds k contacts in the
    /// bucket a key falls in, every key of that bucket is refused: a flood of random keys then reaches only the
    /// node's own neighbourhood, about k/N of the key space in a network of N nodes.
    public func holdsRecords(for key: RecordKey, excluding sender: NodeID? = nil) -> Bool {
        let k = configuration.lookup.resultSize
        return routingTable.closerContactCount(to: key, excluding: sender, limit: k) < k
    }

    /// Pings `contact` when the table would take it, unless it is being verified already or too many are (in all,
    /// or, with `capsNetwork`, of its /24 or /64); the pong that answers admits it.
    mutating func startVerification(
        of contact: Contact,
        capsNetwork: Bool = false,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        guard routingTable.wouldAccept(contact, now: now), verifying.count < configuration.maxVerifications,
            verifying[contact.id] == nil
        else { return }
        let network = AddressPrefix(contact.address.host, ipv4Bits: 24, ipv6Bits: 64)
        // Loopback is exempt: only processes on this host can send from it (a swarm of local nodes, tests).
        if capsNetwork, !contact.address.isLoopback,
            verifyingPerNetwork[network, default: 0] >= configuration.maxVerificationsPerNetwork
        {
            statistics.verificationsSkippedForNetwork += 1
            return
        }
        verifying[contact.id] = network
        verifyingPerNetwork[network, default: 0] += 1
        sendRequest(
            .ping,
            to: contact.address,
            expectedID: contact.id,
            purpose: .verification,
            attempt: 1,
            now: now,
            into: &directives
        )
    }

    /// Forgets a verification that ended (answered, failed, or answered by another ID).
    mutating func endVerification(of id: NodeID) {
        guard let network = verifying.removeValue(forKey: id), let count = verifyingPerNetwork[network] else { return }
        verifyingPerNetwork[network] = count > 1 ? count - 1 : nil
    }

    /// Whether `response` from `responder` may admit it to the routing table (see ``ContactAdmission``).
    private func admits(_ response: KademliaResponse, from responder: Contact) -> Bool {
        switch configuration.admission {
        case .afterAnyResponse:
            return true
        case .afterPong:
            if case .pong = response { return true }
            return routingTable.contains(responder.id)
        }
    }

    // MARK: - Answers to our requests

    private mutating func handleResponse(
        _ response: KademliaResponse,
        message: KademliaMessage,
        from address: NodeAddress,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        guard let request = pending[message.transactionID], request.address == address else {
            statistics.responsesUnmatched += 1
            return
        }
        pending[message.transactionID] = nil
        statistics.responsesMatched += 1
        defer { if pending.isEmpty { releaseIdleStorage() } }
        let responder = Contact(id: message.sender, address: address)
        let rtt = now - request.sentAt
        networkRTT.add(sample: rtt)

        // Another node than the one we asked answered from that address: the one we asked is gone from there.
        if let expected = request.expectedID, expected != responder.id {
            routingTable.remove(expected)
            endVerification(of: expected)
            switch request.purpose {
            case .lookup(let id):
                lookups[id]?.handleFailure(of: expected)
                advance(id, now: now, into: &directives)
            case .publish(let id):
                publishAnswered(id, accepted: false, now: now, into: &directives)
            case .ping(let id):
                complete(id, .ping(nil, rtt: nil), into: &directives)
            case .dialBack(let nonce):
                dialBackUnanswered(nonce, now: now, into: &directives)
            case .dialRelay(let relay):
                relayAnswered(relay, status: nil, now: now, into: &directives)
            case .verification, .evictionCheck, .bootstrapSeed, .correction, .farewell:
                break
            }
            return
        }

        // It answered our request from its address: it may enter the routing table (with
        // `ContactAdmission.afterPong`, a newcomer only by a pong; its other answers start a verification ping).
        if !admits(response, from: responder) {
            startVerification(of: responder, now: now, into: &directives)
        } else {
            switch routingTable.observe(responder, rtt: rtt, now: now) {
            case .cached(let stale?):
                sendRequest(
                    .ping,
                    to: stale.address,
                    expectedID: stale.id,
                    purpose: .evictionCheck,
                    attempt: 1,
                    now: now,
                    into: &directives
                )
            case .inserted, .replacedFailedContact:
                announceUnannouncedSoon(now: now, into: &directives)
                if let first = reachability.contactAvailable(now: now) { wake(at: first, now: now, into: &directives) }
            case .cached(nil), .refreshed, .rejectedLocalID, .rejectedByIPDiversity:
                break
            }
        }

        let k = configuration.lookup.resultSize
        switch request.purpose {
        case .lookup(let id):
            switch response {
            case .nodes(let closer):
                lookups[id]?.handleAnswer(
                    from: responder.id,
                    closer: closer.count > k ? Array(closer.prefix(k)) : closer
                )
            case .values(let found):
                let found = Array(found.prefix(configuration.records.maxValuesPerKey))
                lookups[id]?.handleAnswer(from: responder.id, closer: [], values: found)
            case .providers(let announced, let closer):
                let announced = Array(announced.prefix(k))
                lookups[id]?.handleAnswer(from: responder.id, closer: Array(closer.prefix(k)), providers: announced)
                reportProviders(announced, of: id, into: &directives)
            case .record(let bytes, let closer):
                let valid = recordAnswered(id, by: responder, bytes: bytes, now: now)
                let closer = Array(closer.prefix(k))
                lookups[id]?.handleAnswer(from: responder.id, closer: closer, hasRecord: valid)
            case .pong, .stored, .dialStatus:
                lookups[id]?.handleFailure(of: responder.id)
            }
            advance(id, now: now, into: &directives)
        case .publish(let id):
            if case .stored(let outcome) = response {
                publishAnswered(id, accepted: outcome.isAccepted, now: now, into: &directives)
            } else {
                publishAnswered(id, accepted: false, now: now, into: &directives)
            }
        case .ping(let id):
            complete(id, .ping(responder, rtt: rtt), into: &directives)
        case .verification:
            endVerification(of: responder.id)
        case .evictionCheck, .correction, .farewell:
            break
        case .dialBack(let nonce):
            if case .dialStatus(let status, let observed) = response {
                let change = reachability.statusArrived(
                    nonce: nonce, status: status, observed: observed, from: responder.id, now: now)
                runReachability(change: change, now: now, into: &directives)
            } else {
                dialBackUnanswered(nonce, now: now, into: &directives)
            }
        case .dialRelay(let relay):
            var status: DialStatus?
            if case .dialStatus(let answered, _) = response { status = answered }
            relayAnswered(relay, status: status, now: now, into: &directives)
        case .bootstrapSeed(let id):
            var learned: [Contact] = []
            if case .nodes(let closer) = response { learned = Array(closer.prefix(k)) }
            seedSettled(id, answeredWith: learned, now: now, into: &directives)
        }
    }

    // MARK: - Operations

    private mutating func startOperation(
        _ kind: Operation.Kind,
        lookup: LookupKind,
        target: NodeID,
        configuration lookupConfiguration: LookupConfiguration? = nil,
        now: DHTInstant
    ) -> (OperationID, [KademliaDirective]) {
        var directives: [KademliaDirective] = []
        guard let id = beginOperation(kind, notifies: true, into: &directives) else { return (refusedID(), directives) }
        startLookup(
            id, kind: lookup, target: target, extraSeeds: [], configuration: lookupConfiguration, now: now,
            into: &directives)
        return (id, directives)
    }

    private mutating func beginOperation(
        _ kind: Operation.Kind,
        notifies: Bool,
        into directives: inout [KademliaDirective]
    ) -> OperationID? {
        let id = OperationID(rawValue: nextOperation)
        nextOperation += 1
        guard operations.count < configuration.maxOperations else {
            if notifies { directives.append(.completed(id, .refusedTooManyOperations)) }
            return nil
        }
        operations[id] = Operation(kind: kind, notifies: notifies)
        return id
    }

    private func refusedID() -> OperationID {
        OperationID(rawValue: nextOperation - 1)
    }

    private mutating func startLookup(
        _ id: OperationID,
        kind: LookupKind,
        target: NodeID,
        extraSeeds: [Contact],
        configuration lookupConfiguration: LookupConfiguration? = nil,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        var seeds = routingTable.closest(to: target, count: configuration.lookup.resultSize)
        seeds.append(contentsOf: extraSeeds)
        routingTable.markActivity(toward: target, now: now)
        lookups[id] = Lookup(
            target: target,
            kind: kind,
            seeds: seeds,
            localID: localID,
            configuration: lookupConfiguration ?? configuration.lookup
        )
        advance(id, now: now, into: &directives)
    }

    /// Sends the lookup's next queries and, once it has ended, moves its operation on.
    private mutating func advance(_ id: OperationID, now: DHTInstant, into directives: inout [KademliaDirective]) {
        guard let queries = lookups[id]?.nextQueries(), let lookup = lookups[id] else { return }
        let request = lookup.kind.request(for: lookup.target)
        for query in queries {
            sendRequest(
                request,
                to: query.contact.address,
                expectedID: query.contact.id,
                purpose: .lookup(id),
                attempt: query.attempt,
                now: now,
                into: &directives
            )
        }
        if lookup.isFinished {
            lookups[id] = nil
            lookupFinished(id, lookup.result, now: now, into: &directives)
        }
    }

    private mutating func lookupFinished(
        _ id: OperationID,
        _ result: LookupResult,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        guard let operation = operations[id] else { return }
        switch operation.kind {
        case .findNode, .findValue, .refresh, .ping:
            complete(id, .lookup(result), into: &directives)
        case .getProviders:
            var result = result
            let known = Set(result.providers.map(\.id))
            result.providers.append(
                contentsOf: providers.providers(for: result.target, now: now).filter { !known.contains($0.id) }
            )
            reportProviders(result.providers, of: id, into: &directives)
            complete(id, .lookup(result), into: &directives)
        case .bootstrap:
            // Kademlia §2.3: after the lookup of its own ID, a joining node refreshes the buckets farther away than
            // its neighbourhood, so its table holds contacts across the whole ID space at once. Buckets at or below
            // the depth of the k-th closest neighbour need no refresh: every node in their range is among the k
            // closest, which the lookup just asked.
            let nearest = result.closest.last.map { localID.sharedPrefixLength(with: $0.id) } ?? 0
            operations[id]?.selfLookup = result
            var started = 0
            for index in 0..<min(nearest, NodeID.bitCount) {
                guard let refresh = beginOperation(.bootstrapRefresh(parent: id), notifies: false, into: &directives)
                else { break }
                started += 1
                operations[id]?.refreshesPending += 1
                startLookup(
                    refresh,
                    kind: .findNode,
                    target: localID.randomID(sharingPrefixLength: index, using: &random),
                    extraSeeds: [],
                    now: now,
                    into: &directives
                )
            }
            if started == 0 || operations[id]?.refreshesPending == 0 {
                complete(id, .bootstrap(seedsAnswered: operation.seedsAnswered, lookup: result), into: &directives)
            }
        case .bootstrapRefresh(let parent):
            complete(id, .lookup(result), into: &directives)
            guard var bootstrap = operations[parent] else { break }
            bootstrap.refreshesPending -= 1
            operations[parent] = bootstrap
            if bootstrap.refreshesPending == 0, let selfLookup = bootstrap.selfLookup {
                complete(
                    parent,
                    .bootstrap(seedsAnswered: bootstrap.seedsAnswered, lookup: selfLookup),
                    into: &directives
                )
            }
        case .put(let key, let value, let ttl):
            publish(id, result, request: .store(key, value: value, ttl: ttl), now: now, into: &directives)
        case .provide(let key):
            // A client is reached through its relays, not at the address its requests come from.
            let relays = isClient ? Array(relayAddresses.prefix(DHTDatagram.maxRelays)) : []
            publish(id, result, request: .addProvider(key, relays: relays), now: now, into: &directives)
        case .putRecord(let record):
            publish(id, result, request: .putRecord(record), now: now, into: &directives)
        case .getRecord:
            recordLookupFinished(id, result, now: now, into: &directives)
        }
    }

    // MARK: - Mutable records

    /// What the stores other than `store` hold of the source and network of `host`: the caps per source and per
    /// network count every kind of record together.
    private func usage(of host: NodeAddress.Host, except store: PublishedKey.Kind) -> RecordSourceUsage {
        var total = RecordSourceUsage.none
        if store != .value { total = total + values.usage(of: host) }
        if store != .provider { total = total + providers.usage(of: host) }
        if store != .record { total = total + records.usage(of: host) }
        return total
    }

    /// A PUT_RECORD from `sender` at `host`: kept when this node is among the k closest to the key, the record is
    /// within the size limit, the validator takes it, and it is newer than the one held.
    private mutating func storeRecord(
        _ record: MutableRecord,
        from host: NodeAddress.Host,
        sender: NodeID,
        now: DHTInstant
    ) -> StoreOutcome {
        let outcome: StoreOutcome
        if record.bytes.count > configuration.records.maxRecordBytes {
            outcome = .rejected(.valueTooLarge)
        } else if !holdsRecords(for: record.key, excluding: sender) {
            outcome = .rejected(.notClosest)
        } else if records.holds(record, now: now) {
            outcome = .replaced
        } else if !validationBudget.admit(now: now) {
            outcome = .rejected(.busy)
        } else {
            let verdict = recordValidator?.validate(record) ?? .invalid(reason: "unsupported")
            if case .invalid(let reason) = verdict { statistics.invalidRecordsRefused[reason, default: 0] += 1 }
            outcome = records.store(
                record, verdict: verdict, from: host, elsewhere: usage(of: host, except: .record), now: now)
        }
        if case .rejected(let reason) = outcome { statistics.recordsRefused[reason, default: 0] += 1 }
        return outcome
    }

    /// Takes the record `bytes` (or none) that `responder` answered a GET_RECORD of operation `id` with; returns
    /// whether it was a valid record.
    private mutating func recordAnswered(
        _ id: OperationID,
        by responder: Contact,
        bytes: [UInt8]?,
        now: DHTInstant
    ) -> Bool {
        guard case .getRecord(let routingKey)? = operations[id]?.kind, let bytes else { return false }
        let record = MutableRecord(routingKey: routingKey, bytes: bytes)
        guard bytes.count <= configuration.records.maxRecordBytes,
            case .valid(let rank)? = recordValidator?.validate(record)
        else {
            statistics.invalidRecordAnswers += 1
            operations[id]?.recordSearch.invalidAnswers += 1
            return false
        }
        let validUntil = now + rank.validFor
        operations[id]?.recordSearch.answers.append(
            RecordSearch.Answer(responder: responder, sequence: rank.sequence, validUntil: validUntil, record: record))
        operations[id]?.recordSearch.consider(record, rank: rank, validUntil: validUntil)
        return true
    }

    /// Ends a GET_RECORD: sends the best record to the nodes that answered with an older one, and completes.
    private mutating func recordLookupFinished(
        _ id: OperationID,
        _ lookup: LookupResult,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        guard let search = operations[id]?.recordSearch else { return }
        var corrected = 0
        if let best = search.best, let rank = search.rank, !search.heldLocally {
            // This node's own copy, if it holds an older one, is corrected too.
            let remaining = search.validUntil - now
            if remaining > .zero {
                records.upgrade(best, rank: MutableRecordRank(sequence: rank.sequence, validFor: remaining), now: now)
            }
        }
        if let best = search.best {
            for answer in search.answers where answer.record != best
                && (answer.sequence, answer.validUntil) < (search.rank!.sequence, search.validUntil)
            {
                corrected += 1
                sendRequest(
                    .putRecord(best),
                    to: answer.responder.address,
                    expectedID: answer.responder.id,
                    purpose: .correction,
                    attempt: 1,
                    now: now,
                    into: &directives
                )
            }
        }
        statistics.recordsCorrected += corrected
        let resolution = RecordResolution(
            lookup: lookup,
            record: search.best,
            rank: search.rank,
            heldLocally: search.heldLocally,
            validAnswers: search.answers.count,
            invalidAnswers: search.invalidAnswers,
            corrected: corrected
        )
        complete(id, .resolved(resolution), into: &directives)
    }

    private mutating func publish(
        _ id: OperationID,
        _ lookup: LookupResult,
        request: KademliaRequest,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        operations[id]?.publishLookup = lookup
        operations[id]?.publishPending = lookup.closest.count
        operations[id]?.publishAsked = lookup.closest.count
        guard !lookup.closest.isEmpty else {
            if let kind = operations[id]?.kind { publishSettled(kind, accepted: 0, now: now) }
            complete(id, .published(lookup: lookup, accepted: 0, asked: 0), into: &directives)
            return
        }
        for contact in lookup.closest {
            sendRequest(
                request,
                to: contact.address,
                expectedID: contact.id,
                purpose: .publish(id),
                attempt: 1,
                now: now,
                into: &directives
            )
        }
    }

    private mutating func publishAnswered(
        _ id: OperationID,
        accepted: Bool,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        guard var operation = operations[id], let lookup = operation.publishLookup else { return }
        operation.publishPending -= 1
        if accepted { operation.publishAccepted += 1 }
        operations[id] = operation
        if operation.publishPending == 0 {
            publishSettled(operation.kind, accepted: operation.publishAccepted, now: now)
            complete(
                id,
                .published(lookup: lookup, accepted: operation.publishAccepted, asked: operation.publishAsked),
                into: &directives
            )
        }
    }

    private mutating func seedSettled(
        _ id: OperationID,
        answeredWith learned: [Contact]?,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        guard var operation = operations[id] else { return }
        operation.seedsPending -= 1
        if let learned {
            operation.seedsAnswered += 1
            operation.bootstrapContacts.append(contentsOf: learned)
        }
        let contacts = operation.bootstrapContacts
        operation.bootstrapContacts = []
        operations[id] = operation
        if operation.seedsPending == 0 {
            startLookup(id, kind: .findNode, target: localID, extraSeeds: contacts, now: now, into: &directives)
        } else {
            operations[id]?.bootstrapContacts = contacts
        }
    }

    /// Reports with ``KademliaDirective/providersFound(_:_:)`` the providers in `found` that the running GET_PROVIDERS
    /// operation `id` has not reported yet (nothing for any other operation, or one that ended or was refused).
    private mutating func reportProviders(
        _ found: [Contact],
        of id: OperationID,
        into directives: inout [KademliaDirective]
    ) {
        guard case .getProviders? = operations[id]?.kind else { return }
        var fresh: [Contact] = []
        for contact in found where operations[id]!.providersReported.insert(contact.id).inserted {
            fresh.append(contact)
        }
        if !fresh.isEmpty { directives.append(.providersFound(id, fresh)) }
    }

    private mutating func complete(
        _ id: OperationID,
        _ result: OperationResult,
        into directives: inout [KademliaDirective]
    ) {
        guard let operation = operations.removeValue(forKey: id) else { return }
        if operation.notifies { directives.append(.completed(id, result)) }
        releaseIdleStorage()
    }

    /// Dictionaries keep their capacity when emptied; an idle node gives the memory of its busiest moment back.
    private mutating func releaseIdleStorage() {
        if operations.isEmpty, operations.capacity > 8 { operations = [:] }
        if lookups.isEmpty, lookups.capacity > 8 { lookups = [:] }
        if pending.isEmpty, pending.capacity > 16 { pending = [:] }
        if verifying.isEmpty, verifying.capacity > 64 { verifying = [:] }
        if verifyingPerNetwork.isEmpty, verifyingPerNetwork.capacity > 64 { verifyingPerNetwork = [:] }
        if relays.isEmpty, relays.capacity > 64 { relays = [:] }
    }

    /// Notes how an announcement of an own record (a PUT or PROVIDE operation, started by a command or by
    /// ``tick(now:)``) ended. One that reached no node is tried again after
    /// ``RecordLimits/unannouncedRetryInterval``, or sooner when the routing table gains a contact
    /// (``announceUnannouncedSoon(now:into:)``): a record made while the node had no peers is not left for the
    /// next republication, hours later.
    private mutating func publishSettled(_ kind: Operation.Kind, accepted: Int, now: DHTInstant) {
        let key: PublishedKey
        switch kind {
        case .put(let recordKey, _, _): key = PublishedKey(key: recordKey, kind: .value)
        case .provide(let recordKey): key = PublishedKey(key: recordKey, kind: .provider)
        case .putRecord(let record):
            key = PublishedKey(key: record.key, kind: .record)
            // A record replaced since this announcement started keeps its own state.
            guard case .record(record)? = published[key]?.kind else { return }
        default: return
        }
        guard var record = published[key] else { return }
        record.announced = accepted > 0
        if record.announced { statistics.announcementsAccepted += 1 } else { statistics.announcementsUnanswered += 1 }
        if !record.announced {
            record.nextRepublish = min(record.nextRepublish, now + configuration.records.unannouncedRetryInterval)
        }
        published[key] = record
    }

    /// The routing table gained a contact: records whose last announcement reached nobody are announced after
    /// ``RecordLimits/unannouncedSettleDelay`` (one tick asked for, not one per contact).
    private mutating func announceUnannouncedSoon(now: DHTInstant, into directives: inout [KademliaDirective]) {
        guard unannouncedWake == nil, published.values.contains(where: { !$0.announced }) else { return }
        let due = now + configuration.records.unannouncedSettleDelay
        for (key, record) in published where !record.announced && record.nextRepublish > due {
            published[key]?.nextRepublish = due
        }
        unannouncedWake = due
        if let asked = tickAsked, asked <= due { return }
        tickAsked = due
        directives.append(.scheduleTick(at: due))
    }

    /// Own records whose last announcement reached no node: they wait for contacts (``tick(now:)`` retries them).
    public var unannouncedRecordCount: Int { published.values.reduce(0) { $0 + ($1.announced ? 0 : 1) } }

    /// Own records kept for republishing.
    public var publishedRecordCount: Int { published.count }

    /// Keeps an own record for republishing, first at `firstRepublish` (default: one `interval` from now).
    private mutating func remember(
        _ key: PublishedKey,
        _ kind: Published.Kind,
        interval: Duration,
        firstRepublish: DHTInstant? = nil,
        announced: Bool = false,
        now: DHTInstant
    ) {
        guard published[key] != nil || published.count < configuration.records.maxPublished else { return }
        published[key] = Published(
            kind: kind, interval: interval, nextRepublish: firstRepublish ?? now + interval, announced: announced)
    }

    /// Our own records (those due by `dueBy`, when given) by key, values before provider records: an order that
    /// does not depend on the process's hash seed.
    private func publishedInOrder(dueBy: DHTInstant? = nil) -> [(key: PublishedKey, value: Published)] {
        let chosen = dueBy.map { due in published.filter { $0.value.nextRepublish <= due } } ?? published
        return chosen.sorted { ($0.key.key, $0.key.kind.rawValue) < ($1.key.key, $1.key.kind.rawValue) }
    }

    // MARK: - Sending

    mutating func sendRequest(
        _ request: KademliaRequest,
        to address: NodeAddress,
        expectedID: NodeID?,
        purpose: PendingRequest.Purpose,
        attempt: Int,
        timeout fixedTimeout: Duration? = nil,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        var transactionID = TransactionID(rawValue: random.next())
        while pending[transactionID] != nil { transactionID = TransactionID(rawValue: random.next()) }
        pending[transactionID] = PendingRequest(
            address: address,
            expectedID: expectedID,
            request: request,
            purpose: purpose,
            sentAt: now,
            attempt: attempt
        )
        statistics.requestsSent += 1
        reachability.noteSent(to: address, now: now)
        directives.append(
            .send(
                KademliaMessage(
                    transactionID: transactionID, sender: localID, body: .request(request), isClient: isClient),
                to: address
            )
        )
        let wait = fixedTimeout ?? timeout(for: expectedID, attempt: attempt)
        directives.append(.scheduleTimeout(transactionID, at: now + wait))
    }

    private mutating func retransmit(
        _ request: PendingRequest,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        sendRequest(
            request.request,
            to: request.address,
            expectedID: request.expectedID,
            purpose: request.purpose,
            attempt: request.attempt + 1,
            now: now,
            into: &directives
        )
    }

    /// The contact's own RTT estimate when it has one, else the node's overall estimate; grown by the backoff
    /// factor per retransmission.
    private func timeout(for id: NodeID?, attempt: Int) -> Duration {
        let estimate: RTTEstimate
        if let id, let entry = routingTable.entry(for: id), entry.rtt.hasSample {
            estimate = entry.rtt
        } else {
            estimate = networkRTT
        }
        var timeout = estimate.timeout(
            initial: configuration.initialTimeout,
            minimum: configuration.minimumTimeout,
            maximum: configuration.maximumTimeout
        )
        for _ in 1..<max(1, attempt) { timeout = timeout * configuration.retransmissionBackoff }
        return min(timeout, configuration.maximumTimeout)
    }
}

/// A request of ours waiting for its answer.
struct PendingRequest: Sendable {
    enum Purpose: Sendable {
        case lookup(OperationID)
        case publish(OperationID)
        case ping(OperationID)
        case bootstrapSeed(OperationID)
        case verification
        case evictionCheck
        /// A PUT_RECORD of a newer record to a node that answered a GET_RECORD with an older one: nothing waits for
        /// its answer.
        case correction
        /// A `DIAL_BACK` of ours, by its nonce.
        case dialBack(UInt64)
        /// A `DIAL_REQUEST` to a helper, for the dial-back of another node being served (by relay number).
        case dialRelay(UInt64)
        /// A ping flagged `CLIENT` to a contact, once this node became private: it drops us from its table.
        /// Nothing waits for its answer.
        case farewell
    }

    var address: NodeAddress
    var expectedID: NodeID?
    var request: KademliaRequest
    var purpose: Purpose
    var sentAt: DHTInstant
    var attempt: Int
}

/// An operation started by a command or by maintenance.
struct Operation: Sendable {
    enum Kind: Sendable {
        case findNode
        case findValue
        case getProviders
        case refresh
        /// A bucket refresh that a bootstrap waits for.
        case bootstrapRefresh(parent: OperationID)
        case bootstrap
        case ping
        case put(RecordKey, [UInt8], Duration)
        case provide(RecordKey)
        case putRecord(MutableRecord)
        case getRecord(routingKey: [UInt8])
    }

    var kind: Kind
    var notifies: Bool
    var seedsPending = 0
    var seedsAnswered = 0
    var bootstrapContacts: [Contact] = []
    var selfLookup: LookupResult?
    var refreshesPending = 0
    var publishLookup: LookupResult?
    var publishPending = 0
    var publishAccepted = 0
    var publishAsked = 0
    /// The providers a GET_PROVIDERS operation reported so far (``KademliaDirective/providersFound(_:_:)``).
    var providersReported: Set<NodeID> = []
    /// What a GET_RECORD operation heard so far.
    var recordSearch = RecordSearch()

    init(kind: Kind, notifies: Bool) {
        self.kind = kind
        self.notifies = notifies
    }
}

/// A record of ours that maintenance republishes.
struct PublishedKey: Hashable, Sendable {
    /// The kinds of own records, in the order a snapshot lists them under one key.
    enum Kind: UInt8, Sendable {
        case value
        case provider
        case record
    }

    var key: RecordKey
    var kind: Kind
}

/// The answers a GET_RECORD operation gathered.
struct RecordSearch: Sendable {
    struct Answer: Sendable {
        var responder: Contact
        var sequence: UInt64
        var validUntil: DHTInstant
        var record: MutableRecord
    }

    var best: MutableRecord?
    var rank: MutableRecordRank?
    var validUntil = DHTInstant.zero
    var heldLocally = false
    var answers: [Answer] = []
    var invalidAnswers = 0

    init() {}

    init(best: MutableRecord, rank: MutableRecordRank, validUntil: DHTInstant) {
        self.best = best
        self.rank = rank
        self.validUntil = validUntil
    }

    /// Keeps `record` as the best when it ranks above the best so far.
    mutating func consider(_ record: MutableRecord, rank: MutableRecordRank, validUntil: DHTInstant) {
        if record == best { return }
        if let current = self.rank, (rank.sequence, validUntil) <= (current.sequence, self.validUntil) { return }
        best = record
        self.rank = rank
        self.validUntil = validUntil
        heldLocally = false
    }
}

struct Published: Sendable {
    enum Kind: Sendable {
        case value([UInt8], ttl: Duration)
        case provider
        case record(MutableRecord)
    }

    var kind: Kind
    var interval: Duration
    var nextRepublish: DHTInstant
    /// Whether the last announcement of the record was accepted by at least one node.
    var announced = false
}
