import DHTNode
import Hummingbird
import Prometheus

/// The daemon's local HTTP API: the `/v1` routes behind the bearer token (the node's, and the block repository's
/// when there is one), and `/metrics`.
public enum ControlAPI {
    /// The router for `node`: every `/v1` route requires `Authorization: Bearer <token>`; `/metrics` (Prometheus
    /// text from `metrics`, when given) does not, since the API listens on loopback by default and the counters
    /// hold no secret. With a `repository`, the ``BlockController`` routes are mounted too; with a `contentNode`
    /// (the daemon's node, with its exchange) they fetch what the repository lacks and announce what is added. With
    /// `names`, the ``NameController`` routes publish and resolve IPNS names. With a repository and a content node,
    /// the ``PrecacheController`` routes fetch DAGs in the background into the repository, whose unpinned blocks
    /// `cache` (when on) holds to its budget.
    public static func router<Node: ControlledNode>(
        node: Node,
        token: APIToken,
        metrics: PrometheusCollectorRegistry?,
        repository: BlockRepository? = nil,
        contentNode: DHTNode.Node? = nil,
        names: NameService? = nil,
        cache: BlockCache? = nil
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        if let metrics {
            let repositoryMetrics = repository.map { RepositoryMetrics(repository: $0) }
            router.get("metrics") { _, _ in
                await repositoryMetrics?.refresh(ifOlderThan: RepositoryMetrics.minimumInterval)
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
                return Response(
                    status: .ok,
                    headers: headers,
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer()))
                )
            }
        }
        let v1 = router.group("v1").add(middleware: BearerTokenMiddleware(token: token))
        NodeController<Node, BasicRequestContext>(node: node).addRoutes(to: v1)
        if let repository {
            BlockController<BasicRequestContext>(repository: repository, node: contentNode, cache: cache)
                .addRoutes(to: v1)
            if let contentNode, contentNode.exchange != nil {
                PrecacheController<BasicRequestContext>(
                    node: contentNode, repository: repository, cache: cache, logger: contentNode.logger)
                    .addRoutes(to: v1)
            }
        }
        if let names { NameController<BasicRequestContext>(names: names).addRoutes(to: v1) }
        return router
    }
}
