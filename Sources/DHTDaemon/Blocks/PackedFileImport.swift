import Blocks
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `dhtnode add FILE` through a daemon on the same machine: the daemon reads the file by its path and copies it into
/// one packed file of the repository (``Blocks/FileBlockStore/beginPackedFile()``), hashing its chunks on every core
/// at once, instead of receiving its bytes over the control API and writing a file per block.
///
/// The file is cut into pieces of whole chunks (about 4 MiB); each piece is read, its chunks hashed and its bytes
/// written to the packed file at the same offset on a pool thread, several pieces at a time; the leaves go to the
/// DAG builder in file order as their pieces complete, and the nodes it completes to the import's write session.
/// What is hashed is what is written (one buffer), so the DAG always matches the packed file; a file that changes
/// size or modification time while it is read is refused (``PackedFileImportError/changed(path:)``).
final class PackedFileImport: Sendable {
    /// The file being added, open for reading until the last reference goes.
    final class Source: Sendable {
        let path: String
        let descriptor: Int32
        let size: UInt64
        let stamp: FileStamp

        /// Opens `path`, which must be a regular file.
        init(path: String) throws(PackedFileImportError) {
            let fd = path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
            guard fd >= 0 else { throw .unreadable(path: path, errno: errno) }
            guard let stamp = FileStamp(descriptor: fd), Self.isRegularFile(fd) else {
                Self.closeDescriptor(fd)
                throw .notARegularFile(path: path)
            }
            self.path = path
            self.descriptor = fd
            self.size = stamp.size
            self.stamp = stamp
        }

        deinit { Self.closeDescriptor(descriptor) }

        private static func closeDescriptor(_ fd: Int32) {
            #if canImport(Glibc)
            _ = Glibc.close(fd)
            #else
            _ = Darwin.close(fd)
            #endif
        }

        /// The file's size and modification time now.
        var currentStamp: FileStamp? { FileStamp(descriptor: descriptor) }

        private static func isRegularFile(_ fd: Int32) -> Bool {
            var info = stat()
            return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        }
    }

    /// What one piece gave: its leaves, in order.
    private struct Piece: Sendable {
        var index: Int
        var leaves: [(cid: CID, size: Int)]
    }

    /// Pieces of about this many bytes (whole chunks) are read, hashed and written at once.
    static let pieceBytes = 4 << 20

    private let source: Source
    private let profile: ImportProfile
    /// Where the bytes are copied; `nil` to hash them only (the leaves stay in the user's file).
    private let writer: PackedFileWriter?
    private let threadPool: NIOThreadPool

    init(source: Source, profile: ImportProfile, writer: PackedFileWriter?, threadPool: NIOThreadPool) {
        self.source = source
        self.profile = profile
        self.writer = writer
        self.threadPool = threadPool
    }

    /// Imports `source` into `store` as one UnixFS file: copied into a packed file (with `nocopy`, only hashed and
    /// referenced where it is), the DAG's nodes written through a write session that holds every block against GC
    /// until the root is pinned (with `pin`). The packed file is durable and indexed before the root is pinned; on any
    /// error nothing of the import is left but unpinned blocks. The blocks written are remembered in `verified`.
    static func importing(
        _ source: Source,
        profile: ImportProfile,
        into store: FileBlockStore,
        verified: VerifiedBlockMemory,
        threadPool: NIOThreadPool,
        pin: Bool,
        nocopy: Bool,
        progress: @escaping @Sendable (UInt64) -> Void
    ) async throws -> ImportResult {
        let (session, writer) = try await threadPool.runIfActive { () throws -> (WriteSession, PackedFileWriter?) in
            let session = try store.beginSession()
            do {
                return (session, nocopy ? nil : try store.beginPackedFile())
            } catch {
                session.discard()
                throw error
            }
        }
        do {
            let job = PackedFileImport(source: source, profile: profile, writer: writer, threadPool: threadPool)
            let (result, references) = try await job.run(
                emit: { blocks in
                    try await threadPool.runIfActive {
                        for block in blocks where try session.putIfAbsent(block) { verified.record(block.cid.multihash) }
                    }
                },
                progress: progress)
            try await threadPool.runIfActive {
                if references.isEmpty {
                    writer?.discard()
                } else {
                    for reference in references { session.hold(reference.cid) }
                    if let writer {
                        try store.commitPackedFile(writer, name: result.root.v1.description, references: references)
                        for reference in references { verified.record(reference.cid.multihash) }
                    } else {
                        try store.addReferences(references, inFile: source.path, name: result.root.v1.description)
                    }
                }
                try session.flush()
                if pin { try store.pin(result.root) }
                try session.close()
            }
            return result
        } catch {
            writer?.discard()
            session.discard()
            throw error
        }
    }

    /// Copies and hashes the file (hashes it only, without a writer); `emit` receives the nodes the builder
    /// completes (and the empty leaf of an empty file), in order, one call at a time; `progress` the bytes done so
    /// far. Returns the DAG's root and sizes, and the leaves as references into the packed file (or, without a
    /// writer, into the user's file: the same offsets).
    func run(
        emit: @escaping @Sendable ([Block]) async throws -> Void,
        progress: @escaping @Sendable (UInt64) -> Void
    ) async throws -> (ImportResult, [FileReference]) {
        let chunkSize = profile.chunkSize
        let pieceBytes = max(1, Self.pieceBytes / chunkSize) * chunkSize
        let pieceCount = Int((source.size + UInt64(pieceBytes) - 1) / UInt64(pieceBytes))
        let parallel = max(2, min(System.coreCount, 8))
        // One buffer per piece in flight, mapped once for the import: buffers allocated piece by piece with malloc
        // left 45 MiB behind in the pool threads' arenas after a 1 GiB import.
        let buffers = try PieceBuffers(count: parallel, byteCount: pieceBytes)
        var builder = BalancedDAGBuilder(profile: profile)
        var references: [FileReference] = []
        references.reserveCapacity(Int(source.size / UInt64(chunkSize)) + 1)

        try await withThrowingTaskGroup(of: Piece.self) { group in
            var next = 0
            var done: [Int: Piece] = [:]
            var fed = 0
            var offset: UInt64 = 0
            func start() {
                guard next < pieceCount else { return }
                let index = next
                next += 1
                group.addTask {
                    try await self.threadPool.runIfActive {
                        try buffers.using { buffer in
                            try self.copy(piece: index, pieceBytes: pieceBytes, chunkSize: chunkSize, buffer: buffer)
                        }
                    }
                }
            }
            for _ in 0..<parallel { start() }
            while let piece = try await group.next() {
                done[piece.index] = piece
                start()
                // Leaves reach the builder in file order; the nodes they complete are few and small.
                var nodes: [Block] = []
                while let ready = done.removeValue(forKey: fed) {
                    for leaf in ready.leaves {
                        references.append(FileReference(cid: leaf.cid, offset: offset, length: leaf.size))
                        offset += UInt64(leaf.size)
                        builder.appendHashedLeaf(leaf.cid, size: leaf.size) { nodes.append($0) }
                    }
                    fed += 1
                }
                if !nodes.isEmpty { try await emit(nodes) }
                progress(offset)
            }
        }
        var last: [Block] = []
        let result = builder.finish { last.append($0) }
        if !last.isEmpty { try await emit(last) }
        guard let now = source.currentStamp, now == source.stamp else {
            throw PackedFileImportError.changed(path: source.path)
        }
        return (result, references)
    }

    /// Reads piece `index`, hashes its chunks and writes it to the packed file at the same offset.
    private func copy(
        piece index: Int,
        pieceBytes: Int,
        chunkSize: Int,
        buffer whole: UnsafeMutableRawBufferPointer
    ) throws -> Piece {
        let start = UInt64(index) * UInt64(pieceBytes)
        let length = Int(min(UInt64(pieceBytes), source.size - start))
        let buffer = UnsafeMutableRawBufferPointer(rebasing: whole[..<length])
        var read = 0
        while read < length {
            let count = pread(source.descriptor, buffer.baseAddress! + read, length - read, off_t(start) + off_t(read))
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw PackedFileImportError.unreadable(path: source.path, errno: errno) }
            guard count > 0 else { throw PackedFileImportError.changed(path: source.path) }
            read += count
        }
        var leaves: [(cid: CID, size: Int)] = []
        leaves.reserveCapacity((length + chunkSize - 1) / chunkSize)
        var position = 0
        while position < length {
            let size = min(chunkSize, length - position)
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[position..<(position + size)])
            leaves.append((CID.raw(Multihash(hashing: chunk)), size))
            position += size
        }
        try writer?.write(UnsafeRawBufferPointer(buffer), at: start)
        return Piece(index: index, leaves: leaves)
    }
}

/// The read buffers of one import's pieces in flight: taken by a piece, given back when it is written, freed with
/// the import.
private final class PieceBuffers: @unchecked Sendable {
    // @unchecked: the buffers never change; which are free is kept under a lock, and a buffer belongs to one piece
    // at a time.
    private let buffers: [UnsafeMutableRawBufferPointer]
    private let free: Mutex<[Int]>

    /// Maps the buffers from the system directly (not from malloc, whose arenas would keep the freed memory), so an
    /// import leaves no memory behind.
    init(count: Int, byteCount: Int) throws {
        var buffers: [UnsafeMutableRawBufferPointer] = []
        for _ in 0..<count {
            let address = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let address, address != MAP_FAILED else {
                for buffer in buffers { munmap(buffer.baseAddress, buffer.count) }
                throw PackedFileImportError.outOfMemory(byteCount: byteCount)
            }
            buffers.append(UnsafeMutableRawBufferPointer(start: address, count: byteCount))
        }
        self.buffers = buffers
        free = Mutex(Array(buffers.indices))
    }

    deinit {
        for buffer in buffers { munmap(buffer.baseAddress, buffer.count) }
    }

    /// Runs `body` with a free buffer. There are as many buffers as pieces in flight, so one is always free.
    func using<T>(_ body: (UnsafeMutableRawBufferPointer) throws -> T) throws -> T {
        guard let index = free.withLock({ $0.popLast() }) else {
            preconditionFailure("PackedFileImport: more pieces in flight than buffers")
        }
        defer { free.withLock { $0.append(index) } }
        return try body(buffers[index])
    }
}

/// Why a file could not be added by its path.
public enum PackedFileImportError: Error, CustomStringConvertible {
    /// The daemon cannot open or read it (permissions, a missing file).
    case unreadable(path: String, errno: Int32)
    /// A directory, a device, a pipe: only regular files are added by path.
    case notARegularFile(path: String)
    /// Its size or modification time changed while it was being added.
    case changed(path: String)
    /// The system refused the memory for the read buffers.
    case outOfMemory(byteCount: Int)

    public var description: String {
        switch self {
        case .unreadable(let path, let code): "cannot read \(path): \(String(cString: strerror(code)))"
        case .notARegularFile(let path): "\(path) is not a regular file"
        case .changed(let path): "\(path) changed while it was being added; add it again"
        case .outOfMemory(let count): "cannot map \(count) bytes of read buffers: out of memory"
        }
    }
}
