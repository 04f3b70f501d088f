import Blocks
import Foundation
import NIOPosix

/// What ``Node/add(bytes:profile:)`` and its siblings stored.
public struct AddedContent: Hashable, Sendable {
    /// The root CID: the file's, or the directory's (kubo's `ipfs add --cid-version=1` gives the same).
    public var root: CID
    /// Bytes of file content.
    public var size: UInt64
    /// Blocks made.
    public var blocks: UInt64
    /// Whether a node of the DHT accepted the announcement of the root. `false`: the node had no peers or none
    /// answered; the root stays queued and is announced as soon as the node has contacts.
    public var announced: Bool
}

extension Node {
    /// Adds `bytes` to the node's store as a UnixFS file, then announces its root as provided.
    ///
    /// - Throws: ``NodeError/noContentStore`` without a content configuration; the store's error.
    public func add(bytes: [UInt8], profile: ImportProfile = .unixfsV0_2015_cidv1) async throws -> AddedContent {
        let store = try contentStore()
        let result = try await NIOThreadPool.singleton.runIfActive {
            let result = try BalancedDAGBuilder.importBytes(bytes, profile: profile, to: store)
            try store.flush()
            return result
        }
        return await announced(result.root, size: result.fileSize, blocks: result.blockCount)
    }

    /// Adds the file at `path` to the node's store, read a piece at a time (a large file never sits in memory),
    /// then announces its root as provided. A store with a better way adds it itself
    /// (``ContentStore/addFile(at:profile:)``: the on-disk repository packs it into one file and pins it).
    ///
    /// - Throws: ``NodeError/noContentStore``; a read error naming the file; the store's error.
    public func add(file path: String, profile: ImportProfile = .unixfsV0_2015_cidv1) async throws -> AddedContent {
        let store = try contentStore()
        if let result = try await store.addFile(at: path, profile: profile) {
            return await announced(result.root, size: result.fileSize, blocks: result.blockCount)
        }
        let result = try await NIOThreadPool.singleton.runIfActive {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
            }
            defer { try? handle.close() }
            var builder = BalancedDAGBuilder(profile: profile)
            while let data = try handle.read(upToCount: 4 << 20), !data.isEmpty {
                try data.withUnsafeBytes { raw in try builder.append(raw, to: store) }
            }
            let result = try builder.finish(to: store)
            try store.flush()
            return result
        }
        return await announced(result.root, size: result.fileSize, blocks: result.blockCount)
    }

    /// Adds the directory tree at `path` (as `dhtnode add -r` does: kubo's CIDs, names starting with `.` left out
    /// unless `includeHidden`), then announces its root as provided.
    ///
    /// - Throws: ``NodeError/noContentStore``; a ``Blocks/DirectoryImportError`` naming the entry that failed.
    public func add(
        directory path: String,
        profile: ImportProfile = .unixfsV0_2015_cidv1,
        includeHidden: Bool = false
    ) async throws -> AddedContent {
        let store = try contentStore()
        let result = try await NIOThreadPool.singleton.runIfActive {
            let importer = DirectoryTreeImporter(profile: profile, includeHidden: includeHidden)
            let name = URL(fileURLWithPath: path).lastPathComponent
            let result = try importer.importDirectory(at: path, rootName: name, emit: { try store.put($0) })
            try store.flush()
            return result
        }
        return await announced(result.root, size: result.fileSize, blocks: result.blockCount)
    }

    private func contentStore() throws -> any ContentStore {
        guard let content = configuration.content else { throw NodeError.noContentStore }
        return content.store
    }

    /// Announces `root` and describes what was added; a failed announcement leaves the root queued in the DHT
    /// core (``provide(_:)``).
    private func announced(_ root: CID, size: UInt64, blocks: UInt64) async -> AddedContent {
        let accepted = (try? await provide(root))?.accepted ?? 0
        return AddedContent(root: root, size: size, blocks: blocks, announced: accepted > 0)
    }
}
