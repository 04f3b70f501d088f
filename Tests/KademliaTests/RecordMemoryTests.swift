#if canImport(Glibc)
import Glibc
import Testing

@testable import Kademlia

/// What a held record costs in memory, measured as the process's resident memory (`/proc/self/statm`) before and
/// after filling a store to its default cap the way a flood does: a fresh key per record, 256 records per source
/// address. Everything the store allocates is counted, malloc's chunk headers and the dictionaries' spare slots
/// included.
///
/// Other tests that run at the same time allocate too, so the figure is noisy by some bytes a record: a filling that
/// comes out over the bound is tried again, up to three times, while the earlier stores stay alive (so a retry
/// cannot reuse their freed memory and come out too low), and the lowest figure counts. Run
/// `--filter RecordMemoryTests` alone for the exact one.
@Suite("Record memory", .serialized)
struct RecordMemoryTests {
    /// The resident set in bytes: the second field of `/proc/self/statm`, in pages.
    static func heapBytesInUse() -> Int {
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return 0 }
        let fields = String(decoding: buffer[..<count], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func floodHost(_ index: Int) -> NodeAddress.Host {
        .ipv4(0x0a00_0000 | UInt32(index / 256))
    }

    @Test("a provider record costs at most 300 bytes, a full provider store at most 80 MB")
    func providerRecord() {
        var limits = RecordLimits()
        // The flood's sources are 256 records each, in few /24s: only the per-source cap is theirs to hit.
        limits.maxRecordsPerNetwork = .max
        let count = limits.maxProviderRecords
        var random = SeededRandom(seed: 1)
        let keys = (0..<count).map { _ in NodeID.random(using: &random) }
        let providers = (0..<count).map {
            Contact(id: NodeID.random(using: &random), address: NodeAddress(host: Self.floodHost($0), port: 4000))
        }
        let t0 = DHTInstant(nanoseconds: 0)
        let localID = NodeID.random(using: &random)
        var stores: [ProviderStore] = []
        var perRecord = Int.max
        while perRecord > 300 && stores.count < 3 {
            let before = Self.heapBytesInUse()
            var store = ProviderStore(limits: limits, localID: localID)
            for index in 0..<count {
                _ = store.add(providers[index], for: keys[index], now: t0)
            }
            perRecord = min(perRecord, (Self.heapBytesInUse() - before) / count)
            #expect(store.count == count)
            stores.append(store)
        }
        print("provider record: \(perRecord) bytes resident (\(count) records, \(stores.count) filling(s))")
        #expect(perRecord <= 300)
        withExtendedLifetime(stores) {}
    }

    @Test("a value record costs at most 300 bytes besides its value's bytes")
    func valueRecord() {
        var limits = RecordLimits()
        limits.maxRecordsPerNetwork = .max
        let count = limits.maxValues
        var random = SeededRandom(seed: 2)
        let keys = (0..<count).map { _ in NodeID.random(using: &random) }
        let publishers = (0..<count).map { _ in NodeID.random(using: &random) }
        let t0 = DHTInstant(nanoseconds: 0)
        let localID = NodeID.random(using: &random)
        var stores: [ValueStore] = []
        var perRecord = Int.max
        while perRecord > 300 && stores.count < 3 {
            let before = Self.heapBytesInUse()
            var store = ValueStore(limits: limits, localID: localID)
            for index in 0..<count {
                // An empty value shares Swift's empty-array storage: what is measured is the record alone.
                _ = store.store(
                    DHTValue(publisher: publishers[index], data: []), under: keys[index], ttl: .seconds(3600),
                    from: Self.floodHost(index), now: t0)
            }
            perRecord = min(perRecord, (Self.heapBytesInUse() - before) / count)
            #expect(store.count == count)
            stores.append(store)
        }
        print("value record: \(perRecord) bytes resident besides the value (\(count) records, \(stores.count) filling(s))")
        #expect(perRecord <= 300)
        withExtendedLifetime(stores) {}
    }
}
#endif
