import Foundation

/// What `api.json` says about the running daemon: where its control API listens, its process, and its node.
///
/// The daemon writes it once the API is bound (with the port the system picked for `--api HOST:0`) and removes
/// it at shutdown. A file left behind by a daemon that was killed names a PID that no longer runs;
/// ``ControlClient`` tells the two apart.
public struct APIEndpoint: Codable, Hashable, Sendable {
    /// The API's base URL, for example `http://127.0.0.1:5001`.
    public var url: String
    /// The API's address as `HOST:PORT`.
    public var address: String
    /// The HTTP gateway's base URL, for example `http://127.0.0.1:8080`; absent when the daemon serves none.
    public var gateway: String?
    /// The daemon's process ID.
    public var pid: Int32
    /// The node's ID (64 hex digits).
    public var nodeID: String
    /// The UDP addresses the node listens on (`A.B.C.D:PORT` or `[IPv6]:PORT`).
    public var listen: [String]
    /// When the daemon started (ISO 8601, UTC).
    public var startedAt: String

    /// Creates a description.
    public init(url: String, address: String, gateway: String? = nil, pid: Int32, nodeID: String, listen: [String], startedAt: String) {
        self.url = url
        self.address = address
        self.gateway = gateway
        self.pid = pid
        self.nodeID = nodeID
        self.listen = listen
        self.startedAt = startedAt
    }

    /// Writes the file atomically (mode 0644: it holds no secret).
    public func save(to path: String) throws(PersistenceError) {
        try JSONFile.write(self, to: path, mode: 0o644, pretty: true)
    }

    /// Reads `api.json`.
    ///
    /// - Throws: ``PersistenceError`` ``PersistenceError/Code/missing`` when no daemon has written one,
    ///   ``PersistenceError/Code/malformed`` when it is not this format.
    public static func load(from path: String) throws(PersistenceError) -> APIEndpoint {
        let bytes = try POSIXFile.readAll(path, limit: 64 * 1024)
        do {
            return try JSONDecoder().decode(APIEndpoint.self, from: Data(bytes))
        } catch {
            throw PersistenceError(.malformed, path: path, reason: "\(error)")
        }
    }

    /// Removes `api.json` (a missing file is fine).
    public static func remove(at path: String) throws(PersistenceError) {
        try POSIXFile.remove(path)
    }
}
