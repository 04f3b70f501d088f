import Blocks

/// Reading a HAMT-sharded UnixFS directory (the form kubo gives directories too large for one block): finding
/// one name through the shards its hash picks, and listing every entry.
///
/// A shard's links are named by the shard index in upper-case hex, padded to the width of `fanout - 1`: a link
/// named by the index alone is a sub-shard, one named by the index and then the entry's name is that entry.
/// Each level takes the next log2(fanout) bits of the name's murmur3-x64-64 hash, most significant first.
public enum HAMTDirectory {
    /// The widest fanout accepted (kubo writes 256).
    public static let maxFanout: UInt64 = 1024
    /// The deepest shard accepted (64 hash bits run out before this at any fanout ≥ 2).
    public static let maxDepth = 64

    /// One shard's layout: its links and how wide their index prefix is.
    struct Shard {
        var links: [PBLink]
        var fanout: UInt64
        var prefixLength: Int
        var bitsPerLevel: Int

        init(_ block: Block) throws(GatewayError) {
            let node: PBNode
            let data: UnixFSData
            do {
                node = try PBNode(decoding: block.bytes)
                data = try UnixFSData(decoding: node.data ?? [])
            } catch {
                throw GatewayError(.badGateway, "\(block.cid) is not a valid HAMT shard: \(error)")
            }
            guard data.type == .hamtShard, let fanout = data.fanout, fanout >= 2, fanout <= maxFanout,
                fanout & (fanout - 1) == 0, data.hashType == 0x22
            else {
                throw GatewayError(.badGateway, "\(block.cid) is not a HAMT shard this gateway reads (fanout, hash)")
            }
            self.links = node.links
            self.fanout = fanout
            self.prefixLength = String(fanout - 1, radix: 16).count
            self.bitsPerLevel = fanout.trailingZeroBitCount
        }

        func prefix(_ index: UInt64) -> String {
            let hex = String(index, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, prefixLength - hex.count)) + hex
        }
    }

    /// Looks `name` up in the HAMT under `root`: the sub-shards passed through (not `root`) and the entry's CID,
    /// or `nil` when the directory has no such name.
    public static func lookup(_ name: String, in root: Block, source: some GatewayBlockSource) async throws
        -> (shards: [Block], entry: CID?)
    {
        let hash = Murmur3.x64_64(Array(name.utf8))
        var shards: [Block] = []
        var shard = try Shard(root)
        var bit = 0
        for _ in 0..<maxDepth {
            guard bit + shard.bitsPerLevel <= hash.count * 8 else { break }
            var index: UInt64 = 0
            for offset in bit..<(bit + shard.bitsPerLevel) {
                index = index << 1 | UInt64(hash[offset / 8] >> (7 - UInt8(offset % 8)) & 1)
            }
            bit += shard.bitsPerLevel
            let prefix = shard.prefix(index)
            if let entry = shard.links.first(where: { $0.name == prefix + name }) { return (shards, entry.hash) }
            guard let child = shard.links.first(where: { $0.name == prefix }) else { return (shards, nil) }
            let block = try await source.block(child.hash)
            shards.append(block)
            shard = try Shard(block)
        }
        return (shards, nil)
    }

    /// Every entry under `root`, shard by shard in link order, at most `limit` of them.
    ///
    /// - Throws: ``GatewayError`` 502 for a shard that cannot be read; 501 past `limit` entries.
    public static func entries(of root: Block, source: some GatewayBlockSource, limit: Int = 100_000) async throws
        -> [DirectoryEntry]
    {
        var entries: [DirectoryEntry] = []
        var stack: [(Block, Int)] = [(root, 0)]
        while let (block, depth) = stack.popLast() {
            let shard = try Shard(block)
            var children: [(Block, Int)] = []
            for link in shard.links {
                guard let name = link.name else { continue }
                if name.count == shard.prefixLength {
                    guard depth < maxDepth else { throw GatewayError(.badGateway, "\(block.cid): HAMT too deep") }
                    children.append((try await source.block(link.hash), depth + 1))
                } else if name.count > shard.prefixLength {
                    let entryName = String(name.dropFirst(shard.prefixLength))
                    guard DirectoryEntry.isValidName(entryName) else { continue }
                    entries.append(DirectoryEntry(name: entryName, cid: link.hash, tsize: link.tsize ?? 0))
                    guard entries.count <= limit else {
                        throw GatewayError.notImplemented("\(root.cid) lists more than \(limit) entries")
                    }
                }
            }
            stack += children.reversed()
        }
        return entries
    }
}
