import Blocks
import DHTDaemon

/// A ``FileTreeSource`` through the running daemon's control API (`GET /v1/blocks/{cid}`, `GET /v1/cat/{cid}`).
struct DaemonFileSource: FileTreeSource {
    let client: ControlClient

    func block(_ cid: CID) async throws -> Block {
        let found: Block?
        do {
            found = try await client.block(cid)
        } catch {
            throw CLIError(error.description)
        }
        guard let found else { throw CLIError(DAGReadError.blockNotFound(cid)) }
        return found
    }

    func readFile(
        _ root: CID,
        range: ByteRange?,
        start: (UInt64) throws -> Void,
        write: (UnsafeRawBufferPointer) throws -> Void
    ) async throws {
        do {
            try await client.cat(root, range: range?.text, start: start) { piece in
                try piece.withUnsafeReadableBytes(write)
            }
        } catch let error as ControlClientError {
            throw CLIError(error.description)
        }
    }
}
