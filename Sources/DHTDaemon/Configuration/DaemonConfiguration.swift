import DHTCrypto
import DHTNode
import Kademlia
import Relay
import Rendezvous

/// How `dhtnode run` runs: where its files are, where it listens, whom it joins through.
public struct DaemonConfiguration: Sendable {
    /// The default UDP listen address: every IPv4 interface, port 4001.
    public static let defaultListenAddress = NodeAddress(ipv4: 0, port: 4001)
    /// The default control API address: loopback only, port 5001.
    public static let defaultAPIAddress = NodeAddress(ipv4: 0x7f00_0001, port: 5001)

    /// The data directory.
    public var dataDirectory: DataDirectory
    /// UDP addresses to listen on (port 0: the system picks one).
    public var listenAddresses: [NodeAddress]
    /// Nodes to join through when there is no persisted routing table.
    public var bootstrapAddresses: [NodeAddress]
    /// The default HTTP gateway address: loopback only, port 8080.
    public static let defaultGatewayAddress = NodeAddress(ipv4: 0x7f00_0001, port: 8080)

    /// The control API's address (port 0: the system picks one, written to `api.json`).
    public var apiAddress: NodeAddress
    /// The HTTP gateway's address (`--gateway`; port 0: the system picks one, written to `api.json`); `nil`
    /// for no gateway.
    public var gatewayAddress: NodeAddress?
    /// Whether ``gatewayAddress`` is the default rather than one the operator chose: a default address that is
    /// taken turns the gateway off with a notice instead of stopping the daemon.
    public var gatewayAddressIsDefault: Bool
    /// Abuse limits on inbound datagrams.
    public var limits: AbuseLimits
    /// How often `state.json` is written while the daemon runs (it is also written at shutdown).
    public var saveInterval: Duration
    /// A cap on the block bytes the exchange sends per second (`--upload-limit`); `nil` for none.
    public var uploadBytesPerSecond: Int?
    /// How long a fetch waits for its next block before it gives up (`--fetch-timeout`).
    public var fetchTimeout: Duration
    /// Misbehaviour for tests of other nodes (a hidden option of `dhtnode run`); none by default.
    public var exchangeFaults: ExchangeNodeFaults
    /// HTTP sources every fetch may draw from besides peers (`--trustless-gateway`, `--origin-policy`).
    public var httpSources: FetchSources = FetchSources()
    /// The budget of the repository's unpinned blocks (`--cache-size`): past it, the least recently used are
    /// evicted as blocks arrive (``BlockCache``). Default ``CacheSize/default`` (10 GiB).
    public var cacheSize: CacheSize = .default
    /// The swarm whose session rendezvous the daemon takes part in (`--swarm`); `nil` for none.
    public var rendezvous: RendezvousConfiguration?
    /// The private swarm's key (`--swarm-key`); `nil` for the open network.
    public var swarmKey: SwarmKey?
    /// The relay service offered to nodes behind NATs (`--relay`, `--relay-*`).
    public var relay = RelayConfiguration()
    /// Whether relayed exchange connections try to become direct (`--hole-punching on|off`; docs/PROTOCOL.md,
    /// "Hole punching").
    public var holePunching = true
    /// Routing only (`--bootstrap-node`): no block repository, no exchange, no rendezvous; a routing table and
    /// limits sized for many clients (``Daemon``'s bootstrap-node rules). The table is persisted as usual.
    public var bootstrapNode: Bool

    /// A configuration; the defaults are those of `dhtnode run` without options.
    public init(
        dataDirectory: DataDirectory,
        listenAddresses: [NodeAddress] = [DaemonConfiguration.defaultListenAddress],
        bootstrapAddresses: [NodeAddress] = [],
        apiAddress: NodeAddress = DaemonConfiguration.defaultAPIAddress,
        gatewayAddress: NodeAddress? = nil,
        gatewayAddressIsDefault: Bool = false,
        limits: AbuseLimits = AbuseLimits(),
        saveInterval: Duration = .seconds(60),
        uploadBytesPerSecond: Int? = nil,
        fetchTimeout: Duration = .seconds(30),
        exchangeFaults: ExchangeNodeFaults = ExchangeNodeFaults(),
        rendezvous: RendezvousConfiguration? = nil,
        swarmKey: SwarmKey? = nil,
        bootstrapNode: Bool = false
    ) {
        self.dataDirectory = dataDirectory
        self.listenAddresses = listenAddresses
        self.bootstrapAddresses = bootstrapAddresses
        self.apiAddress = apiAddress
        self.gatewayAddress = gatewayAddress
        self.gatewayAddressIsDefault = gatewayAddressIsDefault
        self.limits = limits
        self.saveInterval = saveInterval
        self.uploadBytesPerSecond = uploadBytesPerSecond
        self.fetchTimeout = fetchTimeout
        self.exchangeFaults = exchangeFaults
        self.rendezvous = rendezvous
        self.swarmKey = swarmKey
        self.bootstrapNode = bootstrapNode
    }
}
