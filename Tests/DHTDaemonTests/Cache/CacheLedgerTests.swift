import Testing

@testable import Blocks
@testable import DHTDaemon

@Suite("CacheLedger: least recently used order, budget, restart order")
struct CacheLedgerTests {
    func key(_ n: Int) -> Multihash { (try! Block(codec: .raw, hashing: Array("block \(n)".utf8))).cid.multihash }

    @Test("within budget nothing is named; over it, the least recently used that cover the excess")
    func candidatesCoverTheExcess() {
        var ledger = CacheLedger(budget: 300)
        for n in 0..<3 { ledger.admit(key(n), byteCount: 100, now: 0) }
        #expect(ledger.byteCount == 300)
        #expect(ledger.candidates().isEmpty)
        ledger.admit(key(3), byteCount: 150, now: 1)
        #expect(ledger.isOverBudget)
        #expect(ledger.candidates() == [key(0), key(1)])
    }

    @Test("a read makes a block the most recently used")
    func touchReorders() {
        var ledger = CacheLedger(budget: 250)
        for n in 0..<3 { ledger.admit(key(n), byteCount: 100, now: 0) }
        ledger.touch(key(0), now: 5)
        #expect(ledger.order == [key(1), key(2), key(0)])
        #expect(ledger.candidates() == [key(1)])
        ledger.remove(key(1))
        #expect(ledger.byteCount == 200)
        #expect(!ledger.isOverBudget)
        #expect(ledger.order == [key(2), key(0)])
    }

    @Test("a block written again takes its new size and becomes the newest; an unknown block's touch does nothing")
    func admitAgain() {
        var ledger = CacheLedger(budget: 1000)
        ledger.admit(key(0), byteCount: 100, now: 0)
        ledger.admit(key(1), byteCount: 100, now: 0)
        ledger.admit(key(0), byteCount: 40, now: 1)
        #expect(ledger.byteCount == 140)
        #expect(ledger.order == [key(1), key(0)])
        let touchedUnknown = ledger.touch(key(9), now: 2)
        #expect(!touchedUnknown)
        #expect(ledger.count == 2)
    }

    @Test("reads are stamped on disk at most once a stamp interval")
    func stamping() {
        var ledger = CacheLedger(budget: 1000)
        ledger.admit(key(0), byteCount: 1, now: 1000)
        let early = ledger.touch(key(0), now: 1000 + CacheLedger.stampInterval - 1)
        let due = ledger.touch(key(0), now: 1000 + CacheLedger.stampInterval)
        let again = ledger.touch(key(0), now: 1000 + CacheLedger.stampInterval + 1)
        #expect(!early && due && !again)
    }

    @Test("blocks found on disk join as the least recently used, in the order of their last use; gone ones leave")
    func merge() {
        var ledger = CacheLedger(budget: 1000)
        ledger.admit(key(0), byteCount: 10, now: 50)
        ledger.admit(key(1), byteCount: 10, now: 60)
        let found = [
            FileBlockStore.UnpinnedBlock(multihash: key(7), byteCount: 5, lastUsed: 1),
            FileBlockStore.UnpinnedBlock(multihash: key(8), byteCount: 5, lastUsed: 2),
            FileBlockStore.UnpinnedBlock(multihash: key(1), byteCount: 10, lastUsed: 60),
        ]
        ledger.merge(found)
        // key(0) is no longer on disk (deleted, or pinned meanwhile).
        #expect(ledger.order == [key(7), key(8), key(1)])
        #expect(ledger.byteCount == 20)
        // A restart: an empty ledger takes the disk's order whole.
        var restarted = CacheLedger(budget: 1000)
        restarted.merge(found)
        #expect(restarted.order == [key(7), key(8), key(1)])
    }

    @Test("at most maxCandidates are named at once")
    func candidatesCapped() {
        var ledger = CacheLedger(budget: 0)
        for n in 0..<(CacheLedger.maxCandidates + 10) { ledger.admit(key(n), byteCount: 1, now: 0) }
        #expect(ledger.candidates().count == CacheLedger.maxCandidates)
        #expect(ledger.candidates().first == key(0))
    }
}

@Suite("CacheSize: --cache-size values")
struct CacheSizeTests {
    @Test("binary units, plain bytes, off and 0")
    func parses() throws {
        #expect(try CacheSize(parsing: "10GiB") == .bytes(10 << 30))
        #expect(try CacheSize(parsing: "512MiB") == .bytes(512 << 20))
        #expect(try CacheSize(parsing: "1.5GiB") == .bytes(3 << 29))
        #expect(try CacheSize(parsing: "1.5G") == .bytes(1_500_000_000))
        #expect(try CacheSize(parsing: "4194304") == .bytes(4 << 20))
        #expect(try CacheSize(parsing: "8mb") == .bytes(8_000_000))
        #expect(try CacheSize(parsing: "8 MiB") == .bytes(8 << 20))
        #expect(try CacheSize(parsing: "off") == .off)
        #expect(try CacheSize(parsing: "0") == .off)
        #expect(CacheSize.default.budget == 10 << 30)
        #expect(CacheSize.default.description == "10GiB")
        #expect(CacheSize.off.budget == nil)
    }

    @Test("too small, negative, junk and overflow are refused with the text quoted")
    func refuses() {
        for text in ["1MiB", "-5GiB", "ten", "", "GiB", "1e30", "5 XB", "nan"] {
            #expect(throws: CacheSize.ParseError(text: text)) { try CacheSize(parsing: text) }
        }
        #expect(CacheSize.ParseError(text: "ten").description.contains("'ten'"))
    }
}
