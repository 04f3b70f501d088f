import Blocks

/// Where the gateway's walks get blocks: the repository, peers, or both. A block it cannot provide is an error the
/// source chooses (404 from a repository alone, 504 after a fetch timed out, 412 for `only-if-cached`), so the
/// walks stay free of I/O policy.
public protocol GatewayBlockSource: Sendable {
    /// The block named `cid`, verified against it.
    func block(_ cid: CID) async throws -> Block
}
