/// Where a repository keeps its files.
///
/// ```
/// ROOT/version                   "1\n": the layout version (``FileBlockStore/layoutVersion``)
/// ROOT/repo.lock                 held with flock(2) by the one writer; holds its PID
/// ROOT/pins                      the recursive pin set, one CID a line (rewritten by temp file + rename)
/// ROOT/blocks/XY/KEY.data        one file per block
/// ROOT/blocks/XY/.KEY.N.tmp      a block being written (never read as a block)
/// ROOT/files/NAME.refs           blocks kept as ranges of one file (FileReferenceTable): a user's file outside the
///                                repository, or a packed file
/// ROOT/files/NAME.pack           a packed file: the leaves of an added file, in file order
/// ROOT/files/.pack.N.tmp         a packed file being written
/// ```
///
/// `KEY` is the block's multihash in upper-case RFC 4648 base32 without padding (`CIQ…` for sha2-256), the key
/// kubo's flatfs uses; `XY` is the two characters before the last one of `KEY` (flatfs `next-to-last/2`), which
/// spreads blocks evenly over 1,024 folders. Blocks are keyed by multihash, so CIDv0 and CIDv1 of the same bytes
/// share one file, and the codec is not part of the name.
struct RepoLayout: Sendable {
    /// The repository folder.
    let root: String

    var blocksDirectory: String { root + "/blocks" }
    var versionFile: String { root + "/version" }
    var lockFile: String { root + "/repo.lock" }
    var pinsFile: String { root + "/pins" }
    var filesDirectory: String { root + "/files" }

    /// The suffix of a block file.
    static let blockSuffix = ".data"
    /// The suffix of a packed file (`FileBlockStore+PackedFiles.swift`).
    static let packedSuffix = ".pack"
    /// The suffix of a temporary file.
    static let temporarySuffix = ".tmp"

    /// The flatfs key of a multihash: upper-case base32.
    static func key(for multihash: Multihash) -> String {
        Base32.encode(multihash.bytes).uppercased()
    }

    /// The shard folder name of a key: the two characters before its last (`next-to-last/2`).
    static func shard(ofKey key: String) -> String {
        let utf8 = Array(key.utf8)
        return String(decoding: utf8[(utf8.count - 3)..<(utf8.count - 1)], as: UTF8.self)
    }

    /// The folder and file of a block.
    func location(of multihash: Multihash) -> (directory: String, path: String, key: String) {
        let key = Self.key(for: multihash)
        let directory = blocksDirectory + "/" + Self.shard(ofKey: key)
        return (directory, directory + "/" + key + Self.blockSuffix, key)
    }

    /// The multihash a block file name stands for, or `nil` if the name is not exactly `KEY.data` for a valid key
    /// (upper case, as written).
    static func multihash(fromFileName name: String) -> Multihash? {
        guard name.hasSuffix(blockSuffix), !name.hasPrefix(".") else { return nil }
        let key = name.dropLast(blockSuffix.count)
        guard let bytes = try? Base32.decode(key.lowercased()), let multihash = try? Multihash(decoding: bytes),
            Self.key(for: multihash) == key
        else { return nil }
        return multihash
    }
}
