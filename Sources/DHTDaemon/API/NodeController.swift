import DHTNode
import Foundation
import Hummingbird
import Kademlia
import NIOCore

/// The `/v1` routes of the control API, over any ``ControlledNode`` (docs/PROTOCOL.md, "Local control API").
///
/// | method and path | what |
/// |---|---|
/// | `GET /v1/id` | ``NodeInfoDocument`` |
/// | `GET /v1/peers` | ``PeersDocument`` |
/// | `GET /v1/stats` | ``StatisticsDocument`` |
/// | `GET /v1/closest/{id}` | FIND_NODE lookup: ``LookupDocument`` |
/// | `PUT /v1/values/{key}?ttl=SECONDS` | body: the value's bytes; ``PublishDocument`` |
/// | `GET /v1/values/{key}` | ``ValuesDocument`` |
/// | `POST /v1/providers/{key}` | announce this node as a provider: ``PublishDocument`` |
/// | `GET /v1/providers/{key}` | ``ProvidersDocument`` |
///
/// IDs and keys in paths are 64 hex digits.
public struct NodeController<Node: ControlledNode, Context: RequestContext>: Sendable {
    /// The node the routes drive.
    public let node: Node
    /// The largest request body accepted (a value must fit a 1,280-byte datagram anyway).
    public static var maximumBodyBytes: Int { 64 * 1024 }

    /// A controller for `node`.
    public init(node: Node) {
        self.node = node
    }

    /// Adds the routes to `group` (mounted at `/v1`).
    public func addRoutes(to group: RouterGroup<Context>) {
        group.get("id") { _, _ in try await self.info() }
        group.get("peers") { _, _ in
            PeersDocument(peers: try await Self.calling { try await self.node.peers() }.map(PeerDocument.init))
        }
        group.get("stats") { _, _ in
            StatisticsDocument(try await Self.calling { try await self.node.statistics() })
        }
        group.get("closest/:id") { _, context in
            let target = try Self.id(context, "id")
            let (result, elapsed) = try await Self.timed { try await self.node.findNode(target) }
            return LookupDocument(result, elapsed: elapsed)
        }
        group.put("values/:key") { request, context in
            let key = try Self.id(context, "key")
            let ttl = try Self.ttl(request)
            var request = request
            let body = try await request.collectBody(upTo: Self.maximumBodyBytes)
            let value = Array(buffer: body)
            let (report, elapsed) = try await Self.timed { try await self.node.put(value, under: key, ttl: ttl) }
            return PublishDocument(key: key.hex, report, elapsed: elapsed)
        }
        group.get("values/:key") { _, context in
            let key = try Self.id(context, "key")
            let (values, elapsed) = try await Self.timed { try await self.node.get(key) }
            return ValuesDocument(
                key: key.hex,
                values: values.map(ValueDocument.init),
                elapsedSeconds: elapsed.inSeconds
            )
        }
        group.post("providers/:key") { _, context in
            let key = try Self.id(context, "key")
            let (report, elapsed) = try await Self.timed { try await self.node.provide(key) }
            return PublishDocument(key: key.hex, report, elapsed: elapsed)
        }
        group.get("providers/:key") { _, context in
            let key = try Self.id(context, "key")
            let (providers, elapsed) = try await Self.timed { try await self.node.providers(of: key) }
            return ProvidersDocument(
                key: key.hex,
                providers: providers.map(ContactDocument.init),
                elapsedSeconds: elapsed.inSeconds
            )
        }
    }

    private func info() async throws -> NodeInfoDocument {
        let statistics = try await Self.calling { try await node.statistics() }
        let reachability = try await Self.calling { try await node.reachability }
        return NodeInfoDocument(
            id: node.id.hex,
            publicKey: node.publicKey.hex,
            listen: node.listeningAddresses.map(\.description),
            routingTableSize: statistics.routingTableSize,
            pid: ProcessInfo.processInfo.processIdentifier,
            reachability: reachability.status,
            observedAddresses: reachability.observedAddresses.map(\.address.description),
            client: reachability.isClient,
            relays: node.relays.map(\.description)
        )
    }

    /// The ID or key in path parameter `name`: exactly 64 hex digits.
    private static func id(_ context: Context, _ name: String) throws -> NodeID {
        let text = try context.parameters.require(name)
        guard text.utf8.count == 2 * NodeID.byteCount, let id = try? NodeID(hex: text) else {
            throw APIError.badRequest("'\(text)' is not an ID or key: expected 64 hex digits")
        }
        return id
    }

    /// The optional `ttl` query item, in whole seconds (1 s to 7 days).
    private static func ttl(_ request: Request) throws -> Duration? {
        guard let text = request.uri.queryParameters.get("ttl") else { return nil }
        guard let seconds = Int(text), (1...7 * 24 * 3600).contains(seconds) else {
            throw APIError.badRequest("ttl '\(text)' is not a number of seconds between 1 and 604800")
        }
        return .seconds(seconds)
    }

    private static func calling<T>(_ body: () async throws -> T) async throws -> T {
        try await APIError.fromNode(body)
    }

    /// Runs a node call and measures its wall time.
    private static func timed<T>(_ body: () async throws -> T) async throws -> (T, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let value = try await calling(body)
        return (value, clock.now - start)
    }
}

extension NodeInfoDocument: ResponseEncodable {}
extension PeersDocument: ResponseEncodable {}
extension StatisticsDocument: ResponseEncodable {}
extension LookupDocument: ResponseEncodable {}
extension PublishDocument: ResponseEncodable {}
extension ValuesDocument: ResponseEncodable {}
extension ProvidersDocument: ResponseEncodable {}
