/// Importing CAR v1 files into a block store, all or nothing.
///
/// Every section is checked (``CARReader``) before anything is committed: blocks are staged, and only when the
/// whole stream has been read without error are they committed. A rejected file leaves nothing in the store
/// (blocks that were already stored before stay, of course).
public enum CARImport {
    /// What an import stored.
    public struct Result: Hashable, Sendable {
        /// The roots named in the header.
        public var roots: [CID]
        /// Sections read (duplicates included).
        public var blockCount = 0
        /// Block bytes read.
        public var byteCount: UInt64 = 0
    }

    /// Imports a CAR into any store, staging its blocks in memory first: for in-memory stores and small CARs.
    /// ``FileBlockStore/importCAR(_:)`` stages on disk instead.
    public static func importCAR(_ source: some CARByteSource, into store: some BlockStore) throws(CARError) -> Result {
        var reader = CARReader(source)
        var result = Result(roots: try reader.readHeader().roots)
        var staged: [Block] = []
        while let block = try reader.nextBlock() {
            staged.append(block)
            result.blockCount += 1
            result.byteCount += UInt64(block.bytes.count)
        }
        var added: [CID] = []
        do throws(BlockStoreError) {
            for block in staged where try !store.has(block.cid) {
                try store.put(block)
                added.append(block.cid)
            }
        } catch {
            for cid in added { _ = try? store.delete(cid) }
            throw .store(error)
        }
        return result
    }
}

extension FileBlockStore {
    /// Imports a CAR v1 stream, all or nothing: blocks go to temporary files in a ``WriteSession/Policy/staged``
    /// session and are renamed into place only after the last section checked out; on any error the session is
    /// discarded and nothing from the file stays.
    ///
    /// - Throws: the ``CARError`` naming the byte offset of the first problem, or ``CARError/store(_:)``.
    public func importCAR(_ source: some CARByteSource) throws(CARError) -> CARImport.Result {
        let session: WriteSession
        do { session = try beginSession(policy: .staged) } catch { throw .store(error) }
        do throws(CARError) {
            var reader = CARReader(source)
            var result = CARImport.Result(roots: try reader.readHeader().roots)
            while let block = try reader.nextBlock() {
                do { try session.put(block) } catch { throw .store(error) }
                result.blockCount += 1
                result.byteCount += UInt64(block.bytes.count)
            }
            do { try session.close() } catch { throw .store(error) }
            return result
        } catch {
            session.discard()
            throw error
        }
    }

    /// Imports the CAR v1 file at `path`; see ``importCAR(_:)``.
    public func importCAR(fromFile path: String) throws(CARError) -> CARImport.Result {
        try importCAR(CARFileSource(path: path))
    }
}
