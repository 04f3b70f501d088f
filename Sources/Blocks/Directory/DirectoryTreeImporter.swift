#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Imports a directory tree from the file system as UnixFS, the way `ipfs add -r --cid-version=1` does, so that
/// the root CID is kubo's.
///
/// Rules (kubo `core/coreunix/add.go` and boxo `files`, `ipld/unixfs/io`):
/// - Each directory's entries are read, sorted by name bytes and imported depth-first: regular files through
///   ``BalancedDAGBuilder`` (raw leaves, the profile's chunks and links), subdirectories recursively, symbolic links
///   as ``SymlinkNode``s holding their target (never followed). Each directory becomes one node from
///   ``DirectoryNodeBuilder``, with its entries' Tsizes.
/// - Hidden entries (names starting with `.`) are skipped unless ``includeHidden`` is set (kubo's `--hidden`).
/// - Empty directories are kept (kubo's default, `Import.UnixFSIncludeEmptyDirs = true`).
/// - A directory that kubo would shard fails the import with
///   ``DirectoryImportError/wouldBeSharded(directory:entryCount:estimatedSize:threshold:rule:)``; a FIFO, socket
///   or device fails it with ``DirectoryImportError/unsupportedFileType(path:)``, as it does in kubo.
/// - The top-level path is followed if it is a symbolic link to a directory; links below it are stored as links.
///
/// Streaming: files are read in pieces of ``readSize`` bytes with one buffer for the whole tree, and blocks go to
/// `emit` as soon as they are complete (children before parents), so memory holds one file's pending nodes and the
/// entry lists of the directories on the current path, never a file.
public struct DirectoryTreeImporter: Sendable {
    /// Bytes read from a file per call: a multiple of every chunk size up to 1 MiB.
    public static let readSize = 4 << 20

    /// What an entry of the tree is.
    public enum EntryKind: String, Sendable {
        /// A regular file.
        case file
        /// A directory.
        case directory
        /// A symbolic link.
        case symlink
    }

    /// One imported entry, reported as kubo's `ipfs add` prints it (`added CID PATH`).
    public struct AddedEntry: Hashable, Sendable {
        /// The path from the tree's root name, `/`-separated (`photos/2024/a.jpg`; the root is its name alone).
        public var path: String
        /// The entry's root CID.
        public var cid: CID
        /// What the entry is.
        public var kind: EntryKind
        /// The Tsize a parent's link to it carries.
        public var tsize: UInt64
        /// The file bytes under it (for a directory, of every file below it; 0 for a symlink).
        public var fileSize: UInt64
    }

    /// The profile files are imported with, whose ``ImportProfile/directorySharding`` decides the sharding limit.
    public let profile: ImportProfile
    /// Whether names starting with `.` are imported (kubo's `--hidden`).
    public let includeHidden: Bool

    /// An importer.
    public init(profile: ImportProfile = .unixfsV0_2015_cidv1, includeHidden: Bool = false) {
        self.profile = profile
        self.includeHidden = includeHidden
    }

    /// Everything an import keeps between entries.
    private struct Walk {
        var buffer: [UInt8]
        var blockCount: UInt64 = 0
        var entryCount = 0
        var bytesRead: UInt64 = 0
        /// Directories in the order kubo prints them: after all files, children before parents.
        var directories: [AddedEntry] = []
    }

    /// Imports the directory at `path`, whose entries are reported under the name `rootName`.
    ///
    /// - Parameters:
    ///   - emit: receives every block, children before parents; the root directory's block comes last.
    ///   - added: receives each file and symlink as it is imported, then each directory (children before parents,
    ///     the root last), as kubo prints them.
    ///   - progress: receives the number of file bytes read so far, after each read.
    /// - Throws: ``DirectoryImportError`` naming the path at fault; an error from `emit` comes wrapped as
    ///   ``DirectoryImportError/blockSink(_:)``. Blocks emitted before an error are valid blocks of an unfinished
    ///   tree.
    public func importDirectory(
        at path: String,
        rootName: String,
        emit: (Block) throws -> Void,
        added: (AddedEntry) -> Void = { _ in },
        progress: (UInt64) -> Void = { _ in }
    ) throws(DirectoryImportError) -> DirectoryImportResult {
        var walk = Walk(buffer: [UInt8](repeating: 0, count: Self.readSize))
        let root = try importDirectory(
            path: path, displayPath: rootName, walk: &walk, emit: emit, added: added, progress: progress)
        for directory in walk.directories { added(directory) }
        return DirectoryImportResult(
            root: root.cid, rootTsize: root.tsize, fileSize: root.fileSize, blockCount: walk.blockCount,
            entryCount: walk.entryCount)
    }

    /// The bytes of every regular file an import of `path` would read (for a progress bar's total). Entries that
    /// cannot be read are left out: the import itself reports them.
    public func measure(_ path: String) -> UInt64 {
        var total: UInt64 = 0
        var pending = [path]
        while let directory = pending.popLast() {
            guard let names = try? listNames(directory, displayPath: directory) else { continue }
            for name in names {
                let child = directory + "/" + name
                var info = stat()
                guard lstat(child, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: pending.append(child)
                case S_IFREG: total += UInt64(info.st_size)
                default: break
                }
            }
        }
        return total
    }

    // MARK: Walk

    private struct Imported {
        var cid: CID
        var tsize: UInt64
        var fileSize: UInt64
    }

    private func importDirectory(
        path: String,
        displayPath: String,
        walk: inout Walk,
        emit: (Block) throws -> Void,
        added: (AddedEntry) -> Void,
        progress: (UInt64) -> Void
    ) throws(DirectoryImportError) -> Imported {
        var builder = DirectoryNodeBuilder(path: displayPath)
        var fileSize: UInt64 = 0
        for name in try listNames(path, displayPath: displayPath) {
            let childPath = path + "/" + name
            let childDisplay = displayPath + "/" + name
            var info = stat()
            guard lstat(childPath, &info) == 0 else {
                throw .fileSystem(operation: "lstat", path: childPath, errno: errno)
            }
            let child: Imported
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                child = try importDirectory(
                    path: childPath, displayPath: childDisplay, walk: &walk, emit: emit, added: added,
                    progress: progress)
            case S_IFREG:
                let result = try importFile(childPath, walk: &walk, emit: emit, progress: progress)
                child = Imported(cid: result.root, tsize: result.rootTsize, fileSize: result.fileSize)
                added(AddedEntry(path: childDisplay, cid: child.cid, kind: .file, tsize: child.tsize, fileSize: child.fileSize))
            case S_IFLNK:
                let block = try symlinkBlock(childPath)
                try send(block, walk: &walk, emit: emit)
                child = Imported(cid: block.cid, tsize: UInt64(block.bytes.count), fileSize: 0)
                added(AddedEntry(path: childDisplay, cid: child.cid, kind: .symlink, tsize: child.tsize, fileSize: 0))
            default:
                throw .unsupportedFileType(path: childPath)
            }
            walk.entryCount += 1
            fileSize += child.fileSize
            try builder.add(DirectoryEntry(name: name, cid: child.cid, tsize: child.tsize))
        }
        let built = try builder.finish(sharding: profile.directorySharding)
        try send(built.block, walk: &walk, emit: emit)
        walk.directories.append(
            AddedEntry(path: displayPath, cid: built.cid, kind: .directory, tsize: built.tsize, fileSize: fileSize))
        return Imported(cid: built.cid, tsize: built.tsize, fileSize: fileSize)
    }

    private func send(_ block: Block, walk: inout Walk, emit: (Block) throws -> Void) throws(DirectoryImportError) {
        do { try emit(block) } catch { throw .blockSink(error) }
        walk.blockCount += 1
    }

    private func importFile(
        _ path: String,
        walk: inout Walk,
        emit: (Block) throws -> Void,
        progress: (UInt64) -> Void
    ) throws(DirectoryImportError) -> ImportResult {
        let fd = path.withCString { open($0, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        guard fd >= 0 else { throw .fileSystem(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        #if canImport(Glibc)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        var builder = BalancedDAGBuilder(profile: profile)
        var emitted: UInt64 = 0
        func sink(_ block: Block) throws(DirectoryImportError) {
            do { try emit(block) } catch { throw .blockSink(error) }
            emitted += 1
        }
        while true {
            let count = try Self.read(fd, into: &walk.buffer, path: path)
            if count == 0 { break }
            let failure = walk.buffer.withUnsafeBytes { raw -> DirectoryImportError? in
                do throws(DirectoryImportError) {
                    try builder.append(UnsafeRawBufferPointer(rebasing: raw[..<count]), emit: sink)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { throw failure }
            walk.bytesRead += UInt64(count)
            progress(walk.bytesRead)
        }
        let result = try builder.finish(emit: sink)
        walk.blockCount += emitted
        return result
    }

    /// Fills `buffer` as far as the file allows; returns the byte count (0 at the end).
    private static func read(_ fd: Int32, into buffer: inout [UInt8], path: String) throws(DirectoryImportError)
        -> Int
    {
        let capacity = buffer.count
        var failure: Int32 = 0
        let filled = buffer.withUnsafeMutableBytes { raw -> Int in
            var filled = 0
            while filled < capacity {
                let got = SystemCall.read(fd, raw.baseAddress! + filled, capacity - filled)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return filled
                }
                if got == 0 { break }
                filled += got
            }
            return filled
        }
        if failure != 0 { throw .fileSystem(operation: "read", path: path, errno: failure) }
        return filled
    }

    private func symlinkBlock(_ path: String) throws(DirectoryImportError) -> Block {
        var target = [UInt8](repeating: 0, count: SymlinkNode.maxTargetByteCount + 1)
        let count = target.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { readlink(path, $0.baseAddress!, $0.count) }
        }
        guard count >= 0 else { throw .fileSystem(operation: "readlink", path: path, errno: errno) }
        guard count <= SymlinkNode.maxTargetByteCount,
            let text = String(validating: target[..<count], as: UTF8.self)
        else { throw .invalidSymlinkTarget(path: path) }
        return SymlinkNode.block(target: text)
    }

    /// The names in a directory that the import takes, sorted by bytes: without `.` and `..`, without hidden names
    /// unless ``includeHidden``.
    private func listNames(_ path: String, displayPath: String) throws(DirectoryImportError) -> [String] {
        guard let directory = opendir(path) else { throw .fileSystem(operation: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw .fileSystem(operation: "readdir", path: path, errno: errno) }
                break
            }
            let bytes = withUnsafeBytes(of: &entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if bytes == [UInt8(ascii: ".")] || bytes == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            if !includeHidden && bytes.first == UInt8(ascii: ".") { continue }
            guard let name = String(validating: bytes, as: UTF8.self) else {
                throw .nameNotUTF8(directory: displayPath, bytes: bytes)
            }
            names.append(name)
        }
        return names.sorted(by: DirectoryEntry.nameBytesPrecede)
    }
}

/// The outcome of importing a directory tree.
public struct DirectoryImportResult: Hashable, Sendable {
    /// The root directory's CID.
    public var root: CID
    /// The Tsize a parent link to the root would carry: every block's size in the tree, summed.
    public var rootTsize: UInt64
    /// The bytes of every file in the tree.
    public var fileSize: UInt64
    /// Blocks emitted (leaves, file nodes, symlinks, directories), counting a block each time it was emitted.
    public var blockCount: UInt64
    /// Entries below the root (files, directories, symlinks).
    public var entryCount: Int
}
