import Blocks
import NIOCore
import Synchronization

/// One CAR import in progress: a ``CARReader`` over a ``StreamingCARSource`` and the staged ``WriteSession`` its
/// blocks go to, moved from one pool thread to the next as the request body arrives
/// (``BlockRepository/importCAR(_:pin:)``).
final class CARImportJob: Sendable {
    private struct State {
        let source: StreamingCARSource
        var reader: CARReader<StreamingCARSource>
        var result = BlockRepository.CARImportResult()

        init() {
            let source = StreamingCARSource()
            self.source = source
            self.reader = CARReader(source)
        }
    }

    private let store: FileBlockStore
    private let verified: VerifiedBlockMemory
    private let session: WriteSession
    private let state: Mutex<State>

    /// Starts a staged session on `store`; the blocks it writes are recorded in `verified` (the reader hashed them).
    init(store: FileBlockStore, verified: VerifiedBlockMemory) throws(BlockStoreError) {
        self.store = store
        self.verified = verified
        self.session = try store.beginSession(policy: .staged)
        self.state = Mutex(State())
    }

    /// Takes the next piece of the stream and stages every section it completes, each verified.
    func consume(_ piece: ByteBuffer) throws {
        try state.withLock { state in
            state.source.append(piece)
            try Self.readSections(&state, session: session, verified: verified)
        }
    }

    /// Reads what is left after the end of the stream, moves the blocks into place, pins the roots when `pin` is
    /// set, and ends the session.
    func finish(pin: Bool) throws -> BlockRepository.CARImportResult {
        var result = try state.withLock { state in
            state.source.finish()
            try Self.readSections(&state, session: session, verified: verified)
            return state.result
        }
        try session.flush()
        if pin {
            for root in result.roots { try store.pin(root) }
        }
        try session.close()
        if pin { result.pinned = result.roots }
        return result
    }

    /// Drops everything staged.
    func discard() {
        session.discard()
    }

    /// Reads the header and the sections the source holds whole (all of them once it is finished).
    private static func readSections(_ state: inout State, session: WriteSession, verified: VerifiedBlockMemory) throws {
        let limit = state.source.completeThrough
        if state.reader.header == nil {
            guard limit > 0 else { return }
            state.result.roots = try state.reader.readHeader().roots
        }
        while state.reader.offset < limit, let block = try state.reader.nextBlock() {
            if try session.putIfAbsent(block) { verified.record(block.cid.multihash) }
            state.result.blockCount += 1
            state.result.byteCount += UInt64(block.bytes.count)
        }
    }
}
