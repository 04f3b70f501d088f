#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DHTCrypto

/// The file references of a ``FileBlockStore`` in memory, and their index files' text.
///
/// On disk, `ROOT/files/NAME.refs` holds the references into one file:
/// ```
/// file HEX SIZE MTIME               the file's absolute path (UTF-8 bytes in hexadecimal), its size and modification
///                                   time (nanoseconds since the epoch) when the references were recorded
/// CID OFFSET LENGTH PREFIX SUFFIX   one block: CID text, decimal offset and length, prefix and suffix in hex ("-": none)
/// ```
/// A file's size and modification time (nanoseconds since the epoch): a reference is only taken for present while
/// its file still has both, and an import refuses a file whose stamp changed while it was read.
public struct FileStamp: Hashable, Sendable {
    public var size: UInt64
    public var modified: Int64

    init(size: UInt64, modified: Int64) {
        self.size = size
        self.modified = modified
    }

    init(_ info: stat) {
        #if canImport(Darwin)
        let modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #else
        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #endif
        self.init(size: UInt64(info.st_size), modified: modified)
    }

    /// The stamp of the open file `descriptor` now, or `nil` when it cannot be had.
    public init?(descriptor: Int32) {
        guard let stamp = POSIX.stamp(descriptor: descriptor) else { return nil }
        self = stamp
    }
}

struct FileReferenceTable {
    /// A block's reference and where it is kept.
    struct Entry {
        /// The index file's name (without `.refs`).
        var name: String
        /// The referenced file's path.
        var path: String
        /// The file's size and modification time when the reference was recorded.
        var stamp: FileStamp
        var reference: FileReference
    }

    /// Blocks by multihash.
    private(set) var blocks: [Multihash: Entry] = [:]
    /// Per index name, the referenced file and its blocks.
    private(set) var files: [String: (path: String, stamp: FileStamp, blocks: [Multihash])] = [:]

    var count: Int { blocks.count }

    func entry(_ multihash: Multihash) -> Entry? { blocks[multihash] }

    /// Records the references of index `name` into `path`, replacing what `name` held before. A block referenced
    /// under another name already keeps that reference.
    mutating func set(_ references: [FileReference], path: String, stamp: FileStamp, name: String) {
        remove(name: name)
        var held: [Multihash] = []
        for reference in references where blocks[reference.cid.multihash] == nil {
            blocks[reference.cid.multihash] = Entry(name: name, path: path, stamp: stamp, reference: reference)
            held.append(reference.cid.multihash)
        }
        files[name] = (path, stamp, held)
    }

    /// Forgets index `name`.
    mutating func remove(name: String) {
        guard let file = files.removeValue(forKey: name) else { return }
        for multihash in file.blocks where blocks[multihash]?.name == name { blocks.removeValue(forKey: multihash) }
    }

    /// Forgets the blocks that `drop` picks; returns the index names whose blocks changed.
    mutating func remove(where drop: (Multihash) -> Bool) -> Set<String> {
        var changed = Set<String>()
        for (multihash, entry) in blocks where drop(multihash) {
            blocks.removeValue(forKey: multihash)
            changed.insert(entry.name)
        }
        for name in changed {
            files[name]?.blocks.removeAll { blocks[$0]?.name != name }
        }
        return changed
    }

    /// The references index `name` holds now.
    func references(name: String) -> (path: String, stamp: FileStamp, references: [FileReference])? {
        guard let file = files[name] else { return nil }
        return (file.path, file.stamp, file.blocks.compactMap { blocks[$0]?.reference })
    }

    // MARK: Index files

    static let suffix = ".refs"

    /// The text of an index file.
    static func encode(_ references: [FileReference], path: String, stamp: FileStamp) -> [UInt8] {
        var text = "file \(Hex.encode(Array(path.utf8))) \(stamp.size) \(stamp.modified)\n"
        for reference in references {
            let prefix = reference.prefix.isEmpty ? "-" : Hex.encode(reference.prefix)
            let suffix = reference.suffix.isEmpty ? "-" : Hex.encode(reference.suffix)
            text += "\(reference.cid) \(reference.offset) \(reference.length) \(prefix) \(suffix)\n"
        }
        return Array(text.utf8)
    }

    /// The references an index file holds, or `nil` when it does not parse.
    static func decode(_ bytes: [UInt8]) -> (path: String, stamp: FileStamp, references: [FileReference])? {
        let lines = bytes.split(separator: UInt8(ascii: "\n"))
        guard let first = lines.first else { return nil }
        let head = first.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        guard head.count == 4, head[0] == "file", let pathBytes = try? Hex.decode(head[1]),
            let size = UInt64(head[2]), let modified = Int64(head[3])
        else { return nil }
        var references: [FileReference] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == 5, let cid = try? CID(parsing: fields[0]), let offset = UInt64(fields[1]),
                let length = Int(fields[2]), length > 0, length <= Block.maxByteCount,
                let prefix = fields[3] == "-" ? [] : try? Hex.decode(fields[3]),
                let suffix = fields[4] == "-" ? [] : try? Hex.decode(fields[4])
            else { return nil }
            references.append(FileReference(cid: cid, offset: offset, length: length, prefix: prefix, suffix: suffix))
        }
        return (String(decoding: pathBytes, as: UTF8.self), FileStamp(size: size, modified: modified), references)
    }
}
