/// Recursive pins and garbage collection.
///
/// Rules:
/// - A pin is recursive: the root and every block reachable from it through dag-pb links stay.
/// - ``gc()`` deletes every block that is not reachable from a pin and not held by a live ``WriteSession``; it
///   never deletes a pinned block, nor a block that an import or fetch in progress has put through its session
///   (the check and the deletion happen under the same lock that a session's put takes before it looks at the
///   disk, so a block cannot be "already stored" for a session and deleted by GC at once).
/// - GC refuses to run, deleting nothing, when a pinned DAG cannot be walked: a dag-pb node under a pin missing
///   (``BlockStoreError/incompleteDAG(root:missing:)``), corrupt (``BlockStoreError/corruptBlock(_:path:)``) or
///   undecodable (``BlockStoreError/invalidDagPB(_:_:)``), because the blocks below it would be unknown.
/// - Pin changes and GC are serialised.
extension FileBlockStore {
    /// The pinned roots (as CIDv1), sorted by text.
    public func pins() throws(BlockStoreError) -> [CID] {
        try PinSet(reading: layout.pinsFile).sorted
    }

    /// Pins `root` recursively, after checking that every block of its DAG is stored (a DAG with holes cannot be
    /// kept whole). Pinning a pinned root does nothing.
    ///
    /// An importer pins while its ``WriteSession`` is still open, after ``WriteSession/flush()`` (blocks waiting in
    /// a session are not stored yet), then closes the session: GC never sees the file unprotected.
    ///
    /// - Throws: ``BlockStoreError/incompleteDAG(root:missing:)`` naming the first missing block; a corrupt or
    ///   undecodable node's error; a file system error writing the pin file.
    public func pin(_ root: CID) throws(BlockStoreError) {
        try requireWritable()
        try pinGate.withLock { (_) throws(BlockStoreError) in
            var pins = try PinSet(reading: layout.pinsFile)
            var visited = Set<Multihash>()
            try walkDAG(from: root, visited: &visited, requireLeaves: true)
            guard pins.insert(root) else { return }
            try pins.write(to: layout.pinsFile, directory: path, faults: faults)
        }
    }

    /// Removes the pin on `root`; returns whether there was one. Its blocks stay until ``gc()``.
    @discardableResult
    public func unpin(_ root: CID) throws(BlockStoreError) -> Bool {
        try requireWritable()
        return try pinGate.withLock { (_) throws(BlockStoreError) -> Bool in
            var pins = try PinSet(reading: layout.pinsFile)
            guard pins.remove(root) else { return false }
            try pins.write(to: layout.pinsFile, directory: path, faults: faults)
            return true
        }
    }

    /// Deletes every block that is neither reachable from a pin nor held by a live write session, and the
    /// temporary files that interrupted writes left behind.
    public func gc() throws(BlockStoreError) -> GCReport {
        try requireWritable()
        return try pinGate.withLock { (_) throws(BlockStoreError) -> GCReport in
            var live = Set<Multihash>()
            for root in try PinSet(reading: layout.pinsFile).sorted {
                try walkDAG(from: root, visited: &live, requireLeaves: false)
            }
            var report = GCReport()
            try forEachShardFile { (file) throws(BlockStoreError) in
                if file.isTemporary {
                    let removed = try state.withLock { (state) throws(BlockStoreError) -> Bool in
                        state.liveTemporaries.contains(file.path) ? false : try POSIX.unlink(file.path)
                    }
                    if removed { report.removedTemporaryFileCount += 1 }
                    return
                }
                // Files whose names are not block keys are not GC's to delete; `verify()` lists them.
                guard let multihash = file.multihash else { return }
                if live.contains(multihash) {
                    report.keptBlockCount += 1
                    return
                }
                let size = UInt64(POSIX.fileSize(file.path) ?? 0)
                let removed = try state.withLock { (state) throws(BlockStoreError) -> Bool? in
                    if state.sessions.values.contains(where: { $0.contains(multihash) }) { return nil }
                    return try POSIX.unlink(file.path)
                }
                switch removed {
                case nil: report.keptBlockCount += 1
                case true?:
                    report.removedBlockCount += 1
                    report.removedByteCount += size
                case false?: break
                }
            }
            // Blocks held as file references: the same rule, and the referenced files stay as they are.
            let sessionHeld = state.withLock { state in state.sessions.values.reduce(into: Set<Multihash>()) { $0.formUnion($1) } }
            let referenced = allReferences().count
            let droppedReferences = try removeReferences { !live.contains($0) && !sessionHeld.contains($0) }
            report.removedBlockCount += droppedReferences
            report.keptBlockCount += referenced - droppedReferences
            let unindexed = try removeUnindexedPackedFiles()
            report.removedByteCount += unindexed.bytes
            for name in try POSIX.listDirectory(layout.filesDirectory) ?? [] where name.hasSuffix(RepoLayout.temporarySuffix) {
                let path = layout.filesDirectory + "/" + name
                if isLiveTemporary(path) { continue }  // a packed file being written
                if try POSIX.unlink(path) { report.removedTemporaryFileCount += 1 }
            }
            // Temporary `pins` and `version` files of a writer that crashed while replacing them. This process is
            // the only writer (the lock) and holds the pin gate, so none of them is being written now.
            for name in try POSIX.listDirectory(path) ?? [] where name.hasSuffix(RepoLayout.temporarySuffix) {
                if try POSIX.unlink(path + "/" + name) { report.removedTemporaryFileCount += 1 }
            }
            return report
        }
    }

    /// Deletes the block under `cid` unless it is a pinned root; returns whether it was stored. A block that a pin
    /// reaches only from above is not checked (that takes a walk of every pinned DAG): `gc` is the safe way to
    /// remove blocks.
    ///
    /// - Throws: ``BlockStoreError/pinnedRoot(_:)``, or the store's errors.
    public func deleteUnlessPinnedRoot(_ cid: CID) throws(BlockStoreError) -> Bool {
        if try pins().contains(where: { $0.multihash == cid.multihash }) { throw .pinnedRoot(cid) }
        return try delete(cid)
    }

    /// The first block of the DAG under `root` (depth-first) that is not stored, or `nil` when the whole DAG is:
    /// whether a file can be read locally or must be fetched.
    ///
    /// - Throws: ``BlockStoreError/invalidDagPB(_:_:)`` or a read error; a missing block is the answer, not an error.
    public func missingBlock(under root: CID) throws(BlockStoreError) -> CID? {
        var visited = Set<Multihash>()
        do {
            try walkDAG(from: root, visited: &visited, requireLeaves: true)
            return nil
        } catch {
            guard case .incompleteDAG(_, let missing) = error else { throw error }
            return missing
        }
    }

    /// Walks the DAG under `root` depth-first, adding every block's multihash to `visited` (blocks already in it
    /// are not walked again). dag-pb nodes are read (verified) and decoded; raw leaves are not read.
    ///
    /// - Parameter requireLeaves: whether a missing raw leaf is an error too (pinning) or not (GC: it has nothing
    ///   to delete there). A missing dag-pb node is always an error: what is under it is unknown.
    func walkDAG(from root: CID, visited: inout Set<Multihash>, requireLeaves: Bool) throws(BlockStoreError) {
        var stack = [root]
        while let cid = stack.popLast() {
            guard visited.insert(cid.multihash).inserted else { continue }
            switch cid.codec {
            case .dagPB:
                guard let bytes = try get(cid) else { throw .incompleteDAG(root: root, missing: cid) }
                let node: PBNode
                do { node = try PBNode(decoding: bytes) } catch { throw .invalidDagPB(cid, error) }
                stack.append(contentsOf: node.links.reversed().map(\.hash))
            case .raw, .sha2_256:
                if requireLeaves && !has(cid) { throw .incompleteDAG(root: root, missing: cid) }
            }
        }
    }
}
