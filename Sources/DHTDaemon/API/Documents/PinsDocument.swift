/// `GET /v1/pins`: the pinned roots.
public struct PinsDocument: Codable, Hashable, Sendable {
    /// The roots, as CIDv1 text, sorted.
    public var pins: [String]

    /// Creates a document.
    public init(pins: [String]) {
        self.pins = pins
    }
}

/// `POST /v1/pins/{cid}` and `DELETE /v1/pins/{cid}`: the root now pinned or unpinned.
public struct PinDocument: Codable, Hashable, Sendable {
    /// The root, as CIDv1 text.
    public var cid: String

    /// Creates a document.
    public init(cid: String) {
        self.cid = cid
    }
}
