import Blocks
import DHTNode
import Foundation
import Kademlia
import Logging
import NIOCore
import ServiceLifecycle

/// Runs a ``DHTNode/Node`` as a ServiceLifecycle service.
///
/// `run()` starts the node, waits until the control API is bound and writes `api.json`, then saves `state.json`
/// every ``DaemonConfiguration/saveInterval``. On graceful shutdown (SIGTERM, SIGINT) it saves the state a last
/// time, stops the node and removes `api.json`. In a ``ServiceGroup`` it comes after the HTTP application, so that
/// it shuts down first: stopping the node ends pending fetches, and the API's requests then have nothing to wait
/// for. With each save it also counts the repository's blocks and bytes for `/metrics`.
public struct NodeService: Service {
    /// The node.
    public let node: Node
    private let repository: BlockRepository?
    private let dataDirectory: DataDirectory
    private let names: NameService?
    private let saveInterval: Duration
    private let restoredContacts: Int
    private let apiBound: AsyncStream<APIAddress>
    private let gatewayBound: AsyncStream<APIAddress?>?
    private let logger: Logger
    private let repositoryMetrics: RepositoryMetrics?

    /// The control API's bound address, as the HTTP server reports it.
    public struct APIAddress: Sendable {
        /// The host, without brackets.
        public var host: String
        /// The port.
        public var port: Int

        /// Creates an address.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// The address `channel` listens on, as a server reports it once bound; `nil` when it has none.
        public init?(boundTo channel: any Channel) {
            guard let local = channel.localAddress, let host = local.ipAddress, let port = local.port else { return nil }
            self.init(host: host, port: port)
        }

        /// `HOST:PORT`, with brackets around an IPv6 host.
        public var text: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// A service for `node`; `apiBound` yields once the API listens.
    public init(
        node: Node,
        names: NameService? = nil,
        repository: BlockRepository? = nil,
        dataDirectory: DataDirectory,
        saveInterval: Duration,
        apiBound: AsyncStream<APIAddress>,
        gatewayBound: AsyncStream<APIAddress?>? = nil,
        logger: Logger
    ) {
        self.gatewayBound = gatewayBound
        self.node = node
        self.names = names
        self.repository = repository
        self.repositoryMetrics = repository.map { RepositoryMetrics(repository: $0) }
        self.dataDirectory = dataDirectory
        self.saveInterval = saveInterval
        self.restoredContacts = node.configuration.restoredState?.contacts.count ?? 0
        self.apiBound = apiBound
        self.logger = logger
    }

    /// Starts the node, publishes `api.json`, saves the state periodically and at shutdown.
    public func run() async throws {
        try await node.start()
        let listen = node.listeningAddresses.map(\.description)
        if restoredContacts > 0 {
            logger.info(
                "restored \(restoredContacts) contacts from state.json; not contacting bootstrap nodes",
                metadata: ["id": "\(node.id.hex)"]
            )
        } else if node.configuration.bootstrapAddresses.isEmpty {
            logger.info("no persisted contacts and no --bootstrap: waiting for other nodes to contact this one")
        } else {
            logger.info(
                "no persisted contacts: bootstrapping",
                metadata: ["bootstrap": "\(node.configuration.bootstrapAddresses.map(\.description))"]
            )
        }

        let address = await cancelWhenGracefulShutdown { [apiBound] in
            var iterator = apiBound.makeAsyncIterator()
            return await iterator.next()
        }
        // The gateway's address (or none, when its default address was taken) goes into api.json too.
        let gateway = await cancelWhenGracefulShutdown { [gatewayBound] () -> APIAddress? in
            guard let gatewayBound else { return nil }
            var iterator = gatewayBound.makeAsyncIterator()
            return await iterator.next() ?? nil
        }
        if let address {
            publishEndpoint(api: address, gateway: gateway ?? nil, listen: listen)
        }
        let announcing = Task {
            await countRepository()
            await provideStoredRoots()
            await names?.republishSaved()
        }
        defer { announcing.cancel() }

        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { [saveInterval] in try await Task.sleep(for: saveInterval) }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            await saveState()
        }

        logger.info("shutting down: saving state and stopping the node")
        await saveState()
        await node.stop()
        do {
            try APIEndpoint.remove(at: dataDirectory.apiEndpointPath)
        } catch {
            logger.warning("cannot remove api.json", metadata: ["error": "\(error.description)"])
        }
        logger.info("stopped")
    }

    private func publishEndpoint(api: APIAddress, gateway: APIAddress?, listen: [String]) {
        let endpoint = APIEndpoint(
            url: "http://\(api.text)",
            address: api.text,
            gateway: gateway.map { "http://\($0.text)" },
            pid: ProcessInfo.processInfo.processIdentifier,
            nodeID: node.id.hex,
            listen: listen,
            startedAt: Date().formatted(.iso8601)
        )
        do {
            try endpoint.save(to: dataDirectory.apiEndpointPath)
        } catch {
            logger.error("cannot write api.json: the CLI will not find this daemon", metadata: ["error": "\(error)"])
        }
        logger.info(
            "dhtnode running",
            metadata: [
                "id": "\(node.id.hex)", "listen": "\(listen.joined(separator: ","))", "api": "\(endpoint.url)",
                "gateway": "\(endpoint.gateway ?? "off")",
                "data": "\(dataDirectory.path)",
            ]
        )
    }

    /// Announces every pinned root as provided (files added in earlier runs): provider records live in the DHT
    /// for a TTL only, and the node re-announces only what it announced since it started. A root announced while
    /// the routing table is still empty stays queued in the node, which announces it once it has contacts.
    private func provideStoredRoots() async {
        guard let repository, let roots = try? await repository.pins(), !roots.isEmpty else { return }
        var announced = 0
        for root in roots {
            guard !Task.isCancelled else { return }
            do {
                if try await node.provide(root).accepted > 0 { announced += 1 }
            } catch {
                logger.debug("pinned root queued for announcement", metadata: ["root": "\(root)", "error": "\(error)"])
            }
        }
        logger.info(
            "announced pinned roots as provided",
            metadata: ["announced": "\(announced)", "queued": "\(roots.count - announced)"]
        )
    }

    /// Counts the repository's blocks, bytes and pins for `/metrics`.
    private func countRepository() async {
        await repositoryMetrics?.refresh()
    }

    /// Writes `state.json` from a fresh snapshot; a failure is logged, never thrown.
    private func saveState() async {
        await countRepository()
        do {
            let snapshot = try await node.snapshot()
            try StateFile(path: dataDirectory.statePath).save(snapshot, of: node.id)
            logger.debug(
                "state saved",
                metadata: ["contacts": "\(snapshot.contacts.count)", "path": "\(dataDirectory.statePath)"]
            )
        } catch {
            logger.error("cannot save state.json", metadata: ["error": "\(error)"])
        }
    }
}
