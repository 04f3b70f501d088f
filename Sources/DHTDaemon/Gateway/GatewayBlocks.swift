import Blocks
import DHTNode
import Exchange
import Gateway

/// The gateway's blocks: the repository's, and what peers send for the rest (fetched into the repository, so
/// the next request finds them there).
///
/// A block that cannot be had becomes the status the path gateway spec asks for: 412 under
/// `Cache-Control: only-if-cached`, 404 when the daemon exchanges no blocks, 504 when no peer sent it before the
/// fetch timeout, 502 when peers sent something that is not what the CID names.
struct GatewayBlocks: GatewayBlockSource {
    let repository: BlockRepository
    /// The node that fetches missing blocks; `nil` when the daemon exchanges none.
    let node: Node?
    /// `Cache-Control: only-if-cached`: never ask peers.
    let onlyIfCached: Bool
    /// The CID at the start of the request's path, whose providers are searched for any block of its DAG.
    let dagRoot: CID
    /// Blocks served lately, shared by every request.
    let cache: GatewayBlockCache

    func block(_ cid: CID) async throws -> Block {
        if let block = try await stored(cid) { return block }
        guard !onlyIfCached else {
            throw GatewayError(.preconditionFailed, "\(cid) is not stored here (Cache-Control: only-if-cached)")
        }
        guard let node else { throw GatewayError.notFound("\(cid) is not stored here") }
        try await Self.fetching(cid) { try await node.fetchBlock(cid, providersOf: dagRoot) }
        guard let block = try await stored(cid) else {
            throw GatewayError(.badGateway, "\(cid) was fetched but is not in the repository")
        }
        return block
    }

    /// The stored block, or `nil`; a corrupt file is a 500.
    func stored(_ cid: CID) async throws -> Block? {
        if let block = cache.block(cid) { return block }
        do {
            let block = try await repository.block(cid)
            if let block { cache.insert(block) }
            return block
        } catch {
            throw GatewayError(.internalServerError, "cannot read \(cid) from the repository: \(error)")
        }
    }

    /// Runs a fetch, mapping its failure to a ``GatewayError``.
    static func fetching<T>(_ cid: CID, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch NodeError.contentUnavailable(_, let delivered) {
            let what = delivered == 0 ? "no peer sent \(cid)" : "peers stopped sending \(cid) after \(delivered) bytes"
            throw GatewayError(.gatewayTimeout, "\(what) before the fetch timed out")
        } catch let error as FetchFailure {
            throw GatewayError(.badGateway, "fetch of \(cid) failed: \(error)")
        } catch let error as NodeError {
            throw GatewayError(.serviceUnavailable, "cannot fetch \(cid): \(error)")
        }
    }
}
