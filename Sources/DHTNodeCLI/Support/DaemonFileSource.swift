import Blocks
import DHTDaemon

/// A ``FileTreeSource`` through the running daemon's control API (`GET /v1/blocks/{cid}?fetch=true`,
/// `GET /v1/cat/{cid}`): the daemon fetches from peers what its repository lacks.
struct DaemonFileSource: FileTreeSource {
    let client: ControlClient
    /// HTTP sources a file read may draw from besides peers (`--trustless-gateway`, `--origin-policy`).
    var sources = HTTPSourceQuery()

    /// The daemon's answer to a file read of a directory or a symbolic link (`400 not_a_file`).
    struct NotAFile: Error, CustomStringConvertible {
        let description: String
    }

    func block(_ cid: CID) async throws -> Block {
        let found: Block?
        do {
            found = try await client.block(cid, fetching: true)
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
            try await client.cat(root, range: range?.text, sources: sources, start: start) { piece in
                try piece.withUnsafeReadableBytes(write)
            }
        } catch let error as ControlClientError where error.apiCode == "not_a_file" {
            throw NotAFile(description: error.description)
        } catch let error as ControlClientError {
            throw CLIError(error.description)
        }
    }
}
