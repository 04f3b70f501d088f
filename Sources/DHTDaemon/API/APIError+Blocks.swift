import Blocks
import Hummingbird

extension APIError {
    /// 404 `not_found`: the block, file or pin does not exist.
    static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "not_found", message: message)
    }

    /// The answer for an error from the block repository (``BlockRepository``); the message is the error's own
    /// line, as `dhtnode` prints it when it works on the repository directly.
    ///
    /// | error | status | code |
    /// |---|---|---|
    /// | `DAGReadError.blockNotFound` | 404 | `not_found` |
    /// | `DAGReadError.rangeOutOfBounds` | 416 | `range_not_satisfiable` |
    /// | `DAGReadError.notAFile` | 400 | `not_a_file` |
    /// | `BlockStoreError.incompleteDAG` (pinning a DAG with a missing block) | 409 | `incomplete_dag` |
    /// | `BlockStoreError.pinnedRoot` (`block rm` of a pinned root) | 409 | `pinned` |
    /// | a CAR that does not check out (`CARError`) | 400 | `invalid_car` |
    /// | `BlockStoreError.invalidBlock` | 400 | `invalid_block` |
    /// | `BlockStoreError.diskFull` | 507 | `disk_full` |
    /// | a stored block that does not match its CID (`corruptBlock`, `hashMismatch`) | 500 | `corrupt_block` |
    /// | a stored DAG that does not decode or whose sizes disagree | 422 | `invalid_dag` |
    /// | a file to add by path that the daemon cannot read | 403 | `cannot_read` |
    /// | a file to add by path that is not a regular file | 400 | `not_a_file` |
    /// | a file to add by path that changed while it was read | 409 | `file_changed` |
    /// | anything else (file system errors) | 500 | `internal` |
    init(repositoryError error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as BlockStoreError:
            self.init(store: error)
        case let error as DAGReadError:
            switch error {
            case .blockNotFound: self = .notFound(error.description)
            case .store(_, let inner): self.init(store: inner)
            case .rangeOutOfBounds:
                self.init(.rangeNotSatisfiable, code: "range_not_satisfiable", message: error.description)
            case .notAFile: self.init(.badRequest, code: "not_a_file", message: error.description)
            case .hashMismatch, .blockTooLarge:
                self.init(.internalServerError, code: "corrupt_block", message: error.description)
            default: self.init(.unprocessableContent, code: "invalid_dag", message: error.description)
            }
        case let error as CARError:
            switch error {
            case .store(let inner), .file(let inner): self.init(store: inner)
            default: self.init(.badRequest, code: "invalid_car", message: error.description)
            }
        case let error as PackedFileImportError:
            switch error {
            case .unreadable: self.init(.forbidden, code: "cannot_read", message: error.description)
            case .notARegularFile: self.init(.badRequest, code: "not_a_file", message: error.description)
            case .changed: self.init(.conflict, code: "file_changed", message: error.description)
            case .outOfMemory: self.init(.serviceUnavailable, code: "out_of_memory", message: error.description)
            }
        default:
            self.init(.internalServerError, code: "internal", message: "\(error)")
        }
    }

    private init(store error: BlockStoreError) {
        switch error {
        case .incompleteDAG: self.init(.conflict, code: "incomplete_dag", message: error.description)
        case .pinnedRoot: self.init(.conflict, code: "pinned", message: error.description)
        case .invalidBlock: self.init(.badRequest, code: "invalid_block", message: error.description)
        case .diskFull:
            self.init(
                HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"),
                code: "disk_full",
                message: error.description
            )
        case .corruptBlock: self.init(.internalServerError, code: "corrupt_block", message: error.description)
        case .invalidDagPB: self.init(.unprocessableContent, code: "invalid_dag", message: error.description)
        default: self.init(.internalServerError, code: "internal", message: error.description)
        }
    }
}
