/// Writes a DAG as a CAR v1 stream.
///
/// Order: the header with the one root, then every block of the DAG in depth-first pre-order, links in order,
/// each block once at its first sighting (what the CARv1 spec calls a deterministic, "first-seen" DFS order, the
/// order go-car and kubo's `dag export` use). Every block is verified as it is read from the store.
public enum CARWriter {
    /// What an export wrote.
    public struct Result: Hashable, Sendable {
        /// Blocks written.
        public var blockCount = 0
        /// Bytes written, header included.
        public var byteCount: UInt64 = 0
    }

    /// Streams the DAG under `root` from `store` to `write`, a piece at a time (the header, then one section per
    /// block).
    ///
    /// - Throws: ``CARError/missingBlock(_:)``, ``CARError/store(_:)`` (corrupt or unreadable block),
    ///   ``CARError/invalidDagPB(_:_:)``, or whatever `write` throws.
    public static func export(
        root: CID,
        from store: some BlockStore,
        to write: ([UInt8]) throws(CARError) -> Void
    ) throws(CARError) -> Result {
        var result = Result()
        let header = CARHeader(roots: [root]).encoded()
        var piece = Varint.encode(UInt64(header.count))
        piece += header
        try write(piece)
        result.byteCount += UInt64(piece.count)

        var seen = Set<Multihash>()
        var stack = [root]
        while let cid = stack.popLast() {
            guard seen.insert(cid.multihash).inserted else { continue }
            let found: Block?
            do { found = try store.getVerified(cid) } catch { throw .store(error) }
            guard let block = found else { throw .missingBlock(cid) }
            if cid.codec == .dagPB {
                do {
                    stack += try PBNode(decoding: block.bytes).links.reversed().map(\.hash)
                } catch {
                    throw .invalidDagPB(cid, error)
                }
            }
            piece.removeAll(keepingCapacity: true)
            Varint.encode(UInt64(cid.byteCount + block.bytes.count), into: &piece)
            cid.append(to: &piece)
            piece += block.bytes
            try write(piece)
            result.blockCount += 1
            result.byteCount += UInt64(piece.count)
        }
        return result
    }

    /// Exports the DAG under `root` to the file at `path`, written under a temporary name and renamed when
    /// complete, so `path` never holds a partial CAR.
    public static func export(root: CID, from store: some BlockStore, toFile path: String) throws(CARError) -> Result
    {
        let sink: CARFileSink
        do { sink = try CARFileSink(path: path) } catch { throw .file(error) }
        do throws(CARError) {
            let result = try export(root: root, from: store) { (piece) throws(CARError) in
                do throws(BlockStoreError) { try sink.write(piece) } catch { throw .file(error) }
            }
            do throws(BlockStoreError) { try sink.commit() } catch { throw .file(error) }
            return result
        } catch {
            sink.abandon()
            throw error
        }
    }
}
