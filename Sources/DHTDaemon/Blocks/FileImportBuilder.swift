import Blocks
import Foundation
import NIOCore
import Synchronization

/// A ``BalancedDAGBuilder`` that an import hands from one pool thread to the next: each call chunks and hashes a
/// piece of the file and returns the blocks it completed, for the caller to write.
final class FileImportBuilder: Sendable {
    private let builder: Mutex<BalancedDAGBuilder>

    /// A builder for one file.
    init(profile: ImportProfile) {
        self.builder = Mutex(BalancedDAGBuilder(profile: profile))
    }

    /// Appends `piece`; returns the blocks it completed, in order.
    func append(_ piece: ByteBuffer) -> [Block] {
        builder.withLock { builder in
            var blocks: [Block] = []
            piece.withUnsafeReadableBytes { raw in
                builder.append(raw) { (block: Block) in blocks.append(block) }
            }
            return blocks
        }
    }

    /// Completes the file: its root and sizes, and the last blocks.
    func finish() -> (ImportResult, [Block]) {
        builder.withLock { builder in
            var blocks: [Block] = []
            let result = builder.finish { (block: Block) in blocks.append(block) }
            return (result, blocks)
        }
    }
}
