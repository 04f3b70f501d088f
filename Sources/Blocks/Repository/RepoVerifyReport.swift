/// What ``FileBlockStore/verify()`` found.
public struct RepoVerifyReport: Equatable, Sendable {
    /// Why a file failed verification.
    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        /// The bytes hash to `actual`, not to the multihash in the file name.
        case hashMismatch(actual: Multihash)
        /// The file is larger than any block may be.
        case tooLarge(byteCount: Int)
        /// The file could not be read.
        case unreadable(BlockStoreError)
        /// The file name is not a block key.
        case unrecognizedName
        /// A block held as a file reference: the file it names is gone, shorter, or its bytes changed.
        case referencedFileChanged

        /// A short explanation.
        public var description: String {
            switch self {
            case .hashMismatch(let actual): "bytes hash to \(actual)"
            case .tooLarge(let count): "\(count) bytes, over the \(Block.maxByteCount)-byte block limit"
            case .unreadable(let error): "unreadable: \(error)"
            case .unrecognizedName: "not a block file name"
            case .referencedFileChanged: "the file no longer holds this block's bytes (changed or deleted since)"
            }
        }
    }

    /// A file that failed.
    public struct CorruptFile: Equatable, Sendable, CustomStringConvertible {
        /// The file.
        public var path: String
        /// The multihash its name stands for, when it is a block file name.
        public var multihash: Multihash?
        /// What is wrong.
        public var problem: Problem

        /// `PATH: problem`, with the raw-codec CID of the multihash when there is one.
        public var description: String {
            (multihash.map { "\(CID.raw($0)) " } ?? "") + "\(path): \(problem)"
        }
    }

    /// Block files hashed.
    public var checkedCount = 0
    /// Files that failed, in the order found.
    public var corrupt: [CorruptFile] = []

    /// Whether every block matched.
    public var isHealthy: Bool { corrupt.isEmpty }
}
