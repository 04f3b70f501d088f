/// `GET /v1/failures/{id}`: why a streamed answer stopped after its `200` went out. Such an answer can only close
/// its connection early (its status is sent), so the client asks afterwards, by the `X-Stream-Id` the answer carried.
public struct StreamFailureDocument: Codable, Hashable, Sendable {
    /// The answer's `X-Stream-Id`.
    public var id: UInt64
    /// The route, as its template (`GET /v1/cat/{cid}`).
    public var route: String
    /// The CID the answer was streaming.
    public var cid: String
    /// Why it stopped, one line; names from the DAG in it are escaped.
    public var reason: String

    /// Creates a document.
    public init(id: UInt64, route: String, cid: String, reason: String) {
        self.id = id
        self.route = route
        self.cid = cid
        self.reason = reason
    }
}
