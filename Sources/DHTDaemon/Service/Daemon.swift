import Blocks
import DHTCrypto
import DHTNode
import Foundation
import Hummingbird
import Kademlia
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// `dhtnode run`: the node, its control API and its persistence, under one ``ServiceGroup``.
public enum Daemon {
    /// Prepares the data directory and runs until SIGTERM or SIGINT.
    ///
    /// 1. Takes the data directory's lock (one daemon per directory), loads or creates the identity, opens the block
    ///    repository `repo/` read-write (holding its lock until the daemon exits; another writer is a startup
    ///    error), writes a new `api-token`, restores `state.json` (a bad one is moved aside and logged).
    /// 2. Runs ``NodeService`` and the Hummingbird application in a ``ServiceGroup`` with SIGTERM and SIGINT as
    ///    graceful-shutdown signals: the API stops first, then the node service saves the state, stops the node
    ///    and removes `api.json`.
    ///
    /// The caller bootstraps logging and metrics (a library never does): pass the Prometheus registry that
    /// `MetricsSystem` was bootstrapped with to serve `/metrics`.
    ///
    /// - Throws: ``DaemonError`` when the daemon cannot start; whatever a service throws while running.
    public static func run(
        _ configuration: DaemonConfiguration,
        metrics: PrometheusCollectorRegistry?,
        logger: Logger
    ) async throws {
        let data = configuration.dataDirectory
        let lock: DaemonLock
        let identity: NodeIdentity
        do {
            try data.create()
            lock = try DaemonLock(path: data.lockPath)
        } catch {
            throw DaemonError("cannot use data directory \(data.path): \(error.description)")
        }
        do {
            let (loaded, created) = try data.loadOrCreateIdentity()
            identity = loaded
            if created { logger.info("created a new identity", metadata: ["path": "\(data.identityPath)"]) }
        } catch {
            throw DaemonError(error.description)
        }
        // A bootstrap node keeps routing only: no repository, no exchange, no rendezvous.
        var repository: BlockRepository?
        var cache: BlockCache?
        if !configuration.bootstrapNode {
            do {
                repository = try BlockRepository(path: data.repositoryPath)
            } catch {
                throw DaemonError(Self.repositoryMessage(error, path: data.repositoryPath))
            }
            if let repository, let budget = configuration.cacheSize.budget {
                var cacheLogger = logger
                cacheLogger[metadataKey: "component"] = "cache"
                let opened = BlockCache(store: repository.store, budget: budget, logger: cacheLogger)
                cache = opened
                // The blocks on disk join the books in the background; fetches admit theirs meanwhile.
                Task { await opened.rescan() }
            }
        }
        let token = APIToken.generate()
        do {
            try token.save(to: data.apiTokenPath)
        } catch {
            throw DaemonError("cannot write the API token: \(error.description)")
        }

        let nodeID = NodeID(publicKeyBytes: identity.publicKey.bytes)
        let restored = StateFile(path: data.statePath).restore(for: nodeID, logger: logger)
        var kademlia = KademliaConfiguration()
        var limits = configuration.limits
        if configuration.bootstrapNode { (kademlia, limits) = Self.bootstrapNodeRules(limits) }
        let freedMemory = FreedMemoryReturn()
        var nodeConfiguration = NodeConfiguration(
            identity: identity,
            listenAddresses: configuration.listenAddresses,
            bootstrapAddresses: configuration.bootstrapAddresses,
            kademlia: kademlia,
            limits: limits,
            restoredState: restored,
            content: repository.map { repository in
                ContentConfiguration(
                    store: RepositoryContentStore(store: repository.store, verified: repository.verified, cache: cache),
                    transport: SecureTransportConfiguration(connectionClosed: freedMemory.connectionClosed),
                    uploadBytesPerSecond: configuration.uploadBytesPerSecond,
                    unavailableTimeout: configuration.fetchTimeout,
                    faults: configuration.exchangeFaults,
                    httpSources: configuration.httpSources
                )
            },
            rendezvous: configuration.bootstrapNode ? nil : configuration.rendezvous,
            swarmKey: configuration.swarmKey,
            receiveBufferBytes: configuration.bootstrapNode ? Self.bootstrapNodeReceiveBuffer : nil
        )
        nodeConfiguration.relay = configuration.relay
        if !configuration.holePunching { nodeConfiguration.holePunching = nil }
        let node = Node(configuration: nodeConfiguration, logger: logger)
        let names = NameService(node: node, dataDirectory: data, logger: logger)

        let (apiBound, announce) = AsyncStream<NodeService.APIAddress>.makeStream()
        let router = ControlAPI.router(
            node: node,
            token: token,
            metrics: metrics,
            repository: repository,
            contentNode: node,
            names: names,
            cache: cache
        )
        var httpLogger = logger
        httpLogger[metadataKey: "component"] = "api"
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.apiAddress.hostText, port: Int(configuration.apiAddress.port)),
                serverName: "dhtnode"
            ),
            onServerRunning: { channel in
                if let address = NodeService.APIAddress(boundTo: channel) { announce.yield(address) }
                announce.finish()
            },
            logger: httpLogger
        )
        if configuration.bootstrapNode {
            logger.info("running as a bootstrap node: routing only (no block repository, exchange or rendezvous)")
        }
        // The gateway serves the repository; a bootstrap node has none.
        var gateway: GatewayService?
        var gatewayBound: AsyncStream<NodeService.APIAddress?>?
        if let repository, let address = configuration.gatewayAddress {
            let (stream, continuation) = AsyncStream<NodeService.APIAddress?>.makeStream()
            gatewayBound = stream
            gateway = GatewayService(
                responder: GatewayResponder(repository: repository, node: node, names: names),
                address: address,
                isDefaultAddress: configuration.gatewayAddressIsDefault,
                bound: continuation,
                logger: logger
            )
        }
        let service = NodeService(
            node: node,
            names: names,
            repository: repository,
            dataDirectory: data,
            saveInterval: configuration.saveInterval,
            apiBound: apiBound,
            gatewayBound: gatewayBound,
            logger: logger
        )
        // Services shut down in reverse order: the node first, which ends pending fetches at once (a `cat` waiting
        // for a root nobody has would otherwise hold the API's graceful shutdown for the whole fetch timeout), then
        // the API, whose requests have nothing left to wait for. The bound is a safety net: a stop takes well
        // under a second.
        var groupConfiguration = ServiceGroupConfiguration(
            services: [freedMemory, application] + (gateway.map { [$0] } ?? []) + [service],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
        // Hold the repository (and its lock) and the data folder's lock until the services have stopped.
        withExtendedLifetime(repository) {}
        withExtendedLifetime(lock) {}
    }

    /// The rules of `--bootstrap-node`: buckets of 8,192 contacts instead of 20, so the node holds (and hands out)
    /// contacts for a whole swarm of 10,000 and more (replies still carry the 20 closest), and the tables that track
    /// sources sized for that many clients.
    /// A bootstrap node's UDP receive buffer: 8 MiB (capped by `net.core.rmem_max`), room for a burst of some
    /// 3,500 padded lookups from joining clients.
    static let bootstrapNodeReceiveBuffer = 8 * 1024 * 1024

    static func bootstrapNodeRules(_ limits: AbuseLimits) -> (KademliaConfiguration, AbuseLimits) {
        var kademlia = KademliaConfiguration()
        kademlia.routingTable.bucketSize = 8192
        // Admitting joiners is a bootstrap node's job: verify many at once (a skipped joiner waits for its next
        // request to be verified).
        kademlia.maxVerifications = 1024
        var limits = limits
        limits.trackedSources = max(limits.trackedSources, 65_536)
        limits.provenAddresses = max(limits.provenAddresses, 65_536)
        limits.rememberedWriteTokens = max(limits.rememberedWriteTokens, 16_384)
        return (kademlia, limits)
    }

    /// The startup error for a repository that cannot be opened; a lock held by another process names it.
    static func repositoryMessage(_ error: BlockStoreError, path: String) -> String {
        guard case .locked(_, let holder) = error else { return "cannot open the block repository: \(error)" }
        let process = holder.map { "process \($0)" } ?? "another process"
        return "the block repository \(path) is in use by \(process) (a running `dhtnode add`, `gc` or other "
            + "repository command): wait for it to finish, then start the daemon again"
    }
}
