import ArgumentParser
import DHTCrypto
import DHTDaemon
import Exchange
import DHTNode
import Foundation
import Kademlia
import Logging
import Metrics
import Prometheus
import Relay
import Rendezvous

/// `dhtnode run`: the long-running DHT node with its local control API.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a DHT node (the daemon) with its local control API.",
        discussion: """
            Listens for DHT datagrams on UDP 0.0.0.0:4001 and serves the control API and /metrics on \
            http://127.0.0.1:5001 unless told otherwise; port 0 lets the system pick a free port (the API's is \
            written to DIR/api.json). The identity is created in DIR/identity on the first run. Contacts and \
            records are saved to DIR/state.json every 60 seconds and at shutdown (SIGINT, SIGTERM); a node that \
            restarts with saved contacts answers at once and does not contact the --bootstrap nodes. A new API \
            token is written to DIR/api-token (mode 0600) at every start.
            """
    )

    @Option(
        name: .customLong("data"),
        help: ArgumentHelp("The data folder (default: $DHTNODE_DATA, or ~/.dhtnode).", valueName: "dir")
    )
    var dataPath: String?

    @Option(
        name: .customLong("listen"),
        help: ArgumentHelp(
            "A UDP address to listen on; repeat for several (default: 0.0.0.0:4001).",
            valueName: "addr:port"
        )
    )
    var listen: [String] = []

    @Option(
        name: .customLong("bootstrap"),
        help: ArgumentHelp(
            "A node to join through when there are no saved contacts (an address or a host name); repeatable.",
            valueName: "host:port"
        )
    )
    var bootstrap: [String] = []

    @Option(
        name: .customLong("api"),
        help: ArgumentHelp(
            "Where the control API and /metrics listen (default: 127.0.0.1:5001).",
            valueName: "addr:port"
        )
    )
    var api: String?

    @Option(
        name: .customLong("gateway"),
        help: ArgumentHelp(
            "Where the read-only HTTP gateway listens (/ipfs/{cid}, no token), or 'off' (default: 127.0.0.1:8080; "
                + "when that is taken, the daemon runs without one).",
            valueName: "addr:port|off"
        )
    )
    var gateway: String?

    @Flag(name: .customLong("json"), help: "Log one JSON object a line (time, level, label, message, metadata).")
    var json = false

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "trace, debug, info, notice, warning, error or critical.",
            valueName: "level"
        )
    )
    var logLevel: String = "info"

    @Option(
        name: .customLong("requests-per-second-per-source"),
        help: ArgumentHelp(
            "Requests per second one source IP may send (default: 200; burst: twice that).",
            valueName: "n"
        )
    )
    var requestsPerSecondPerSource: Double?

    @Flag(name: .customLong("no-rate-limits"), help: "No per-source or global rate limit (for benchmarks); caps stay.")
    var noRateLimits = false

    @Option(
        name: .customLong("save-interval"),
        help: ArgumentHelp("Seconds between saves of state.json (default: 60).", valueName: "seconds")
    )
    var saveInterval: Int = 60

    @Option(
        name: .customLong("upload-limit"),
        help: ArgumentHelp(
            "Cap on the block bytes sent to peers per second, like 2.5M (10^6) or 4MiB (2^20) (default: none).",
            valueName: "bytes"
        )
    )
    var uploadLimit: String?

    @OptionGroup var httpSources: HTTPSourceOptions

    @Option(
        name: .customLong("cache-size"),
        help: ArgumentHelp(
            "Budget of the repository's unpinned blocks (fetched, precached): past it the least recently used are evicted as blocks arrive. A size like 10GiB or 512MiB (at least 4MiB), or off (also 0) to keep them until gc (default: 10GiB).",
            valueName: "size"
        )
    )
    var cacheSize: String?

    @Option(
        name: .customLong("fetch-timeout"),
        help: ArgumentHelp("Seconds a fetch waits for its next block before it gives up (default: 30).", valueName: "seconds")
    )
    var fetchTimeout: Int = 30

    @Option(
        name: .customLong("swarm"),
        help: ArgumentHelp(
            "Take part in this swarm's session rendezvous: provide and look up its time-window block, connect to members.",
            valueName: "name"
        )
    )
    var swarm: String?

    @Option(
        name: .customLong("session-window"),
        help: ArgumentHelp("With --swarm: the rendezvous window in seconds (default: 60).", valueName: "seconds")
    )
    var sessionWindow: Int64 = 60

    @Option(
        name: .customLong("session-members"),
        help: ArgumentHelp("With --swarm: the most members to connect to (default: 8).", valueName: "count")
    )
    var sessionMembers: Int = 8

    @Option(
        name: .customLong("swarm-key"),
        help: ArgumentHelp(
            "Join the private swarm of this key file (dhtnode swarm-key generate): every datagram is sealed with it.",
            valueName: "file"
        )
    )
    var swarmKeyPath: String?

    @Flag(
        name: .customLong("bootstrap-node"),
        help: "Run as a swarm's bootstrap node: routing only (no block repository, exchange or rendezvous), a routing table for 10,000+ contacts."
    )
    var bootstrapNode = false

    @Option(
        name: .customLong("relay"),
        help: ArgumentHelp(
            "Relay for nodes behind NATs while this node is public: 'on' (default) or 'off' (refuse every reservation).",
            valueName: "on|off"
        )
    )
    var relay: String = "on"

    @Option(
        name: .customLong("relay-reservations"),
        help: ArgumentHelp("With --relay on: reservations held at once (default: 128).", valueName: "count")
    )
    var relayReservations: Int?

    @Option(
        name: .customLong("relay-circuit-bytes"),
        help: ArgumentHelp(
            "With --relay on: bytes (both ways) one relayed connection may carry before it is cut, with an optional k, "
                + "M or G suffix (default: 134217728, 128 MiB).",
            valueName: "bytes"
        )
    )
    var relayCircuitBytes: String?

    @Option(
        name: .customLong("relay-circuit-seconds"),
        help: ArgumentHelp("With --relay on: seconds one relayed connection may stay open (default: 600).", valueName: "seconds")
    )
    var relayCircuitSeconds: Int?

    @Option(
        name: .customLong("relay-bandwidth"),
        help: ArgumentHelp(
            "With --relay on: bytes per second relayed over all connections, like 16M or 16MiB, or "
                + "'off' for no cap (default: 16777216, 16 MiB/s).",
            valueName: "bytes|off"
        )
    )
    var relayBandwidth: String?

    @Option(
        name: .customLong("hole-punching"),
        help: ArgumentHelp(
            "Replace relayed connections with direct ones by hole punching: 'on' (default) or 'off' (they stay relayed).",
            valueName: "on|off"
        )
    )
    var holePunching: String = "on"

    @Option(name: .customLong("testing-corrupt-every"), help: .hidden)
    var testingCorruptEvery: Int?

    func validate() throws {
        if let dataPath, dataPath.isEmpty { throw ValidationError("--data needs a folder path") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        if let rate = requestsPerSecondPerSource, !(rate > 0 && rate.isFinite) {
            throw ValidationError("--requests-per-second-per-source must be a positive number")
        }
        if requestsPerSecondPerSource != nil && noRateLimits {
            throw ValidationError("--requests-per-second-per-source and --no-rate-limits exclude each other")
        }
        guard saveInterval >= 1 else { throw ValidationError("--save-interval must be at least 1 second") }
        guard fetchTimeout >= 1 else { throw ValidationError("--fetch-timeout must be at least 1 second") }
        if let swarm, !RendezvousConfiguration(swarm: swarm).isValid {
            throw ValidationError(
                "--swarm must be 1 to \(RendezvousConfiguration.maxSwarmNameBytes) bytes without control characters"
            )
        }
        guard (2...86_400).contains(sessionWindow) else {
            throw ValidationError("--session-window must be 2 to 86400 seconds")
        }
        guard (1...256).contains(sessionMembers) else { throw ValidationError("--session-members must be 1 to 256") }
        if bootstrapNode && (swarm != nil || uploadLimit != nil) {
            throw ValidationError("--bootstrap-node keeps routing only: it takes no --swarm or --upload-limit")
        }
        guard relay == "on" || relay == "off" else { throw ValidationError("--relay must be 'on' or 'off'") }
        guard holePunching == "on" || holePunching == "off" else {
            throw ValidationError("--hole-punching must be 'on' or 'off'")
        }
        if let relayReservations, !(1...65_536).contains(relayReservations) {
            throw ValidationError("--relay-reservations must be 1 to 65536")
        }
        if let relayCircuitSeconds, !(1...86_400).contains(relayCircuitSeconds) {
            throw ValidationError("--relay-circuit-seconds must be 1 to 86400")
        }
        if let testingCorruptEvery, testingCorruptEvery < 1 {
            throw ValidationError("--testing-corrupt-every must be at least 1")
        }
        _ = try daemonConfiguration()
    }

    func run() async throws {
        let configuration = try daemonConfiguration()
        MemoryTuning.forDaemon()
        FileDescriptorLimit.raiseForDaemon()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { [json] label in
            if json { return EscapingLogHandler(JSONLogHandler(label: label, logLevel: level)) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return EscapingLogHandler(handler)
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "dhtnode")
        do {
            try await Daemon.run(configuration, metrics: registry, logger: logger)
        } catch let error as DaemonError {
            throw CLIError(error.description)
        } catch let error as NodeError {
            throw CLIError(error.description)
        }
    }

    private func daemonConfiguration() throws -> DaemonConfiguration {
        var limits = noRateLimits ? AbuseLimits.unlimitedRates : AbuseLimits()
        if let rate = requestsPerSecondPerSource {
            limits.requestsPerSecondPerSource = rate
            limits.requestBurstPerSource = 2 * rate
        }
        var configuration = DaemonConfiguration(
            dataDirectory: DataDirectory.resolve(dataPath),
            listenAddresses: try listen.isEmpty
                ? [DaemonConfiguration.defaultListenAddress]
                : listen.map { try Self.address($0, "--listen", bind: true) },
            bootstrapAddresses: try bootstrap.flatMap { text -> [NodeAddress] in
                do {
                    return try NodeAddress.resolving(text)
                } catch {
                    throw ValidationError("--bootstrap: \(error)")
                }
            },
            apiAddress: try api.map { try Self.address($0, "--api", bind: true) }
                ?? DaemonConfiguration.defaultAPIAddress,
            gatewayAddress: try gateway == "off"
                ? nil : gateway.map { try Self.address($0, "--gateway", bind: true) }
                    ?? DaemonConfiguration.defaultGatewayAddress,
            gatewayAddressIsDefault: gateway == nil,
            limits: limits,
            saveInterval: .seconds(saveInterval),
            uploadBytesPerSecond: try uploadLimit.map { try Self.byteCount($0, "--upload-limit") },
            fetchTimeout: .seconds(fetchTimeout),
            exchangeFaults: ExchangeNodeFaults(corruptEveryNthBlock: testingCorruptEvery),
            rendezvous: swarm.map {
                RendezvousConfiguration(swarm: $0, windowSeconds: sessionWindow, maxMembers: sessionMembers)
            },
            swarmKey: try swarmKeyPath.map { path in
                do {
                    return try SwarmKeyFile.load(path: path)
                } catch {
                    throw ValidationError("--swarm-key: \(error)")
                }
            },
            bootstrapNode: bootstrapNode
        )
        configuration.relay.isEnabled = relay == "on"
        configuration.holePunching = holePunching == "on"
        if let relayReservations { configuration.relay.maxReservations = relayReservations }
        if let relayCircuitBytes {
            configuration.relay.circuitLimits.bytes = UInt64(try Self.byteCount(relayCircuitBytes, "--relay-circuit-bytes"))
        }
        if let relayCircuitSeconds { configuration.relay.circuitLimits.seconds = UInt32(relayCircuitSeconds) }
        if let relayBandwidth {
            configuration.relay.totalBytesPerSecond =
                relayBandwidth == "off" ? nil : UInt64(try Self.byteCount(relayBandwidth, "--relay-bandwidth"))
        }
        if let cacheSize {
            do {
                configuration.cacheSize = try CacheSize(parsing: cacheSize)
            } catch {
                throw ValidationError("--cache-size: \(error)")
            }
        }
        configuration.httpSources = FetchSources(
            trustlessGateways: try httpSources.trustlessGateways.map { try HTTPSource(url: $0) },
            origins: try httpSources.origins.map { try HTTPSource(kind: .origin, url: $0) },
            policy: httpSources.originPolicy.flatMap(OriginPolicy.init(rawValue:)) ?? .fallback
        )
        return configuration
    }

    /// `N`, `Nk`, `NM` or `NG` (powers of 1000: network rates), at least 1,000 bytes.
    static func byteCount(_ text: String, _ option: String) throws -> Int {
        guard let bytes = ByteCount.parse(text), bytes >= 1000, bytes < 1_000_000_000_000_000 else {
            throw ValidationError("\(option) '\(text)' is not a byte count of at least 1000 (like 2500000, 2.5M or 4MiB)")
        }
        return Int(bytes)
    }

    private static func address(_ text: String, _ option: String, bind: Bool) throws -> NodeAddress {
        do {
            return bind ? try NodeAddress(parsingBindAddress: text) : try NodeAddress(parsing: text)
        } catch {
            throw ValidationError("\(option) '\(text)': \(error.description)")
        }
    }
}
