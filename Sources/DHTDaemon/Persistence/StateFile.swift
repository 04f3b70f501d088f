import DHTNode
import Foundation
import Kademlia
import Logging

/// `state.json`: the node's contacts and records, so that a restarted node answers at once without
/// re-bootstrapping.
///
/// Writes are atomic (temporary file, `fsync`, `rename`, `fsync` of the folder): a crash leaves the old file or
/// the new one, never a mix. A file that cannot be read back is never fatal: ``restore(logger:)`` reports it,
/// moves it aside to `state.json.corrupt-<unix seconds>` and starts without it.
public struct StateFile: Sendable {
    /// The largest state file read (a full table and full record stores are far smaller).
    public static let maximumByteCount = 64 * 1024 * 1024

    /// The file's path.
    public var path: String

    /// The state file at `path`.
    public init(path: String) {
        self.path = path
    }

    /// Writes `snapshot` of node `nodeID`, saved at `now`.
    public func save(_ snapshot: NodeSnapshot, of nodeID: NodeID, now: Date = Date()) throws(PersistenceError) {
        try JSONFile.write(StateDocument(snapshot, nodeID: nodeID, savedAt: now), to: path, mode: 0o600)
    }

    /// Reads the file.
    ///
    /// - Returns: the document, or `nil` when there is no file.
    /// - Throws: ``PersistenceError`` with code ``PersistenceError/Code/malformed`` (not JSON, a version this
    ///   build does not read, or a bad ID, address or duration) or ``PersistenceError/Code/io``.
    public func load() throws(PersistenceError) -> StateDocument? {
        let bytes: [UInt8]
        do {
            bytes = try POSIXFile.readAll(path, limit: Self.maximumByteCount)
        } catch  where error.code == .missing {
            return nil
        }
        let document: StateDocument
        do {
            document = try JSONDecoder().decode(StateDocument.self, from: Data(bytes))
        } catch {
            throw PersistenceError(.malformed, path: path, reason: Self.describe(error))
        }
        guard document.version == StateDocument.currentVersion else {
            throw PersistenceError(
                .malformed,
                path: path,
                reason: "version \(document.version); this build reads version \(StateDocument.currentVersion)"
            )
        }
        do {
            _ = try document.snapshot()
        } catch {
            throw PersistenceError(.malformed, path: path, reason: error.description)
        }
        return document
    }

    /// What to restore for node `nodeID`: the snapshot in the file, or `nil` when there is none or it cannot be
    /// used. A malformed file is logged and moved aside (``corruptPath(at:)``); a file of another node (its
    /// identity was replaced) is logged and ignored. Never throws: a bad state file must not stop the daemon.
    public func restore(for nodeID: NodeID, logger: Logger, now: Date = Date()) -> NodeSnapshot? {
        let document: StateDocument?
        do {
            document = try load()
        } catch {
            let aside = corruptPath(at: now)
            do {
                try POSIXFile.move(path, to: aside)
                logger.error(
                    "state file is unreadable; starting without it",
                    metadata: ["error": "\(error.description)", "moved-to": "\(aside)"]
                )
            } catch let moveError {
                logger.error(
                    "state file is unreadable and could not be moved aside; starting without it",
                    metadata: ["error": "\(error.description)", "move-error": "\(moveError.description)"]
                )
            }
            return nil
        }
        guard let document else { return nil }
        guard document.nodeID == nodeID.hex else {
            logger.warning(
                "state file belongs to another node ID; ignoring it",
                metadata: ["path": "\(path)", "state-node": "\(document.nodeID)", "node": "\(nodeID.hex)"]
            )
            return nil
        }
        // load() has checked that the document converts.
        return try? document.snapshot(now: now)
    }

    /// Where ``restore(for:logger:now:)`` moves a corrupt file: `state.json.corrupt-<unix seconds>`.
    public func corruptPath(at now: Date) -> String {
        path + ".corrupt-\(Int(now.timeIntervalSince1970))"
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            "not valid JSON or a bad value at \(codingPath(context.codingPath)): \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, let context):
            "missing field \(codingPath(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(codingPath(context.codingPath)): \(context.debugDescription)"
        default:
            "\(error)"
        }
    }

    private static func codingPath(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
