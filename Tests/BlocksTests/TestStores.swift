import Synchronization

@testable import Blocks

/// A store that returns one flipped byte for the CIDs in `corrupt`: a disk that went bad under a block.
struct CorruptingStore: BlockStore {
    let base: MemoryBlockStore
    let corrupt: Set<Multihash>

    init(base: MemoryBlockStore, corrupt: [CID]) {
        self.base = base
        self.corrupt = Set(corrupt.map(\.multihash))
    }

    func get(_ cid: CID) -> [UInt8]? {
        guard var bytes = base.get(cid) else { return nil }
        if corrupt.contains(cid.multihash) {
            if bytes.isEmpty { bytes = [0] } else { bytes[bytes.count / 2] ^= 0x01 }
        }
        return bytes
    }

    func has(_ cid: CID) -> Bool { base.has(cid) }
    func put(_ block: Block) { base.put(block) }
    func delete(_ cid: CID) -> Bool { base.delete(cid) }
}

/// A store that records every `get`, to check which blocks a read touches.
final class CountingStore: BlockStore {
    let base: MemoryBlockStore
    private let gets = Mutex<[CID]>([])

    init(base: MemoryBlockStore) { self.base = base }

    var fetched: [CID] { gets.withLock { $0 } }

    func get(_ cid: CID) -> [UInt8]? {
        gets.withLock { $0.append(cid) }
        return base.get(cid)
    }

    func has(_ cid: CID) -> Bool { base.has(cid) }
    func put(_ block: Block) { base.put(block) }
    func delete(_ cid: CID) -> Bool { base.delete(cid) }
}

/// Bytes whose 4-byte chunks all differ (up to 64 chunks), so no two leaves share a CID.
func distinctBytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0) } }

/// A tiny profile that makes deep trees from small inputs: 4-byte chunks, 3 links per node.
let tinyProfile: ImportProfile = {
    guard let profile = try? ImportProfile(chunkSize: 4, maxLinks: 3, name: "tiny") else {
        fatalError("tiny profile is valid")
    }
    return profile
}()

/// Imports `bytes` into a fresh memory store.
func importIntoMemory(
    _ bytes: [UInt8],
    profile: ImportProfile = tinyProfile
) throws -> (MemoryBlockStore, ImportResult) {
    let store = MemoryBlockStore()
    let result = try BalancedDAGBuilder.importBytes(bytes, profile: profile, to: store)
    return (store, result)
}
