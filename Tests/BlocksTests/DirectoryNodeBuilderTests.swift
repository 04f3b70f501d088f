import Testing

@testable import Blocks

/// Directory nodes. Where an expected CID comes from is said next to it:
/// - "given": fixed checks from the issue (kubo's CIDv1 empty directory and empty file);
/// - "kubo fixture": kubo's own test/cli/cid_profiles_test.go;
/// - "model": Tests/cli/unixfs_dir_model.py, an independent implementation checked against kubo 0.22 (CIDv0) and
///   against the kubo fixture above (CIDv1); see its header.
@Suite struct DirectoryNodeBuilderTests {
    /// kubo's names for the sharding-threshold fixture (test/cli/cid_profiles_test.go, createDeterministicFiles):
    /// one character of "abcdefghijklmnopqrstuvwxyz01234567890-_" per byte of the ChaCha20 keystream with
    /// key = SHA-256(seed), zero nonce; every name but the last is `nameLength` long.
    private func kuboFixtureNames(count: Int, nameLength: Int, lastNameLength: Int, seed: String) -> [String] {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz01234567890-_".utf8)
        let total = (count - 1) * nameLength + lastNameLength
        let stream = ContentSource(generator: "chacha20:\(seed)", content: "", size: total).all()
        var names: [String] = []
        var position = 0
        for index in 0..<count {
            let length = index == count - 1 ? lastNameLength : nameLength
            let bytes = stream[position..<(position + length)].map { alphabet[Int($0) % alphabet.count] }
            names.append(String(decoding: bytes, as: UTF8.self))
            position += length
        }
        return names
    }

    /// The raw leaf of the one-byte file "x" that every fixture entry holds.
    private let xLeaf = CID.raw(Multihash(hashing: Array("x".utf8)))

    @Test func emptyDirectoryIsKubosEmptyDirectory() throws {
        let built = try DirectoryNodeBuilder(path: "empty").finish(sharding: .legacyLinks)
        // Given: kubo's CIDv1 empty directory (CIDv0 QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn).
        #expect(built.cid.description == "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354")
        #expect(built.block.bytes == [0x0A, 0x02, 0x08, 0x01])
        #expect(built.tsize == 4)
        #expect(built.entryCount == 0)
        #expect(try DirectoryNodeBuilder(path: "empty").finish(sharding: .blockBytes).cid == built.cid)
    }

    @Test func directoryWithAnEmptyFile() throws {
        let emptyFile = try BalancedDAGBuilder.importBytes([UInt8](), to: MemoryBlockStore())
        // Given: kubo stores an empty file as an empty raw leaf under CIDv1.
        #expect(emptyFile.root.description == "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")
        var builder = DirectoryNodeBuilder(path: "d")
        try builder.add(DirectoryEntry(name: "empty", cid: emptyFile.root, tsize: emptyFile.rootTsize))
        let built = try builder.finish(sharding: .legacyLinks)
        // Model: `unixfs_dir_model.py v1` of a folder holding one empty file named "empty".
        #expect(built.cid.description == "bafybeigalvxqcgqiogiv6bimmxedgxbhu7cikwhwha2c2iqzdbnabewjai")
        #expect(built.tsize == 53)
    }

    @Test func linksAreSortedByNameBytes() throws {
        var builder = DirectoryNodeBuilder(path: "d")
        // Byte order: "B" (42) < "_u" (5F) < "a" (61) < "e\u{301}" (65 CC 81) < "\u{E9}" (C3 A9). Swift's String
        // order would put the decomposed and precomposed é together as equal; kubo compares bytes.
        let names = ["\u{E9}", "a", "e\u{301}", "_u", "B"]
        for (index, name) in names.enumerated() {
            try builder.add(DirectoryEntry(name: name, cid: xLeaf, tsize: UInt64(index)))
        }
        let node = try PBNode(decoding: try builder.finish(sharding: .legacyLinks).block.bytes)
        #expect(node.links.map { Array($0.name!.utf8) } == ["B", "_u", "a", "e\u{301}", "\u{E9}"].map { Array($0.utf8) })
        #expect(node.links.map(\.tsize) == [4, 3, 1, 2, 0])
        #expect(try UnixFSData(decoding: node.data!) == UnixFSData(type: .directory))
    }

    @Test func tsizeIsTheBlockPlusTheEntries() throws {
        var builder = DirectoryNodeBuilder(path: "d")
        try builder.add(DirectoryEntry(name: "one", cid: xLeaf, tsize: 1))
        try builder.add(DirectoryEntry(name: "big", cid: xLeaf, tsize: 1_000_000))
        let built = try builder.finish(sharding: .legacyLinks)
        #expect(built.tsize == UInt64(built.block.bytes.count) + 1_000_001)
    }

    @Test func namesThatCannotBeEntriesAreRefused() {
        for name in ["", ".", "..", "a/b", "nul\u{0}"] {
            var builder = DirectoryNodeBuilder(path: "d")
            #expect(throws: DirectoryImportError.self) {
                try builder.add(DirectoryEntry(name: name, cid: xLeaf, tsize: 1))
            }
        }
        var builder = DirectoryNodeBuilder(path: "d")
        #expect(throws: Never.self) { try builder.add(DirectoryEntry(name: "\u{E9}", cid: xLeaf, tsize: 1)) }
        // The decomposed form is another name on disk, so it is not a duplicate...
        #expect(throws: Never.self) { try builder.add(DirectoryEntry(name: "e\u{301}", cid: xLeaf, tsize: 1)) }
        // ...but the same bytes again are.
        do {
            try builder.add(DirectoryEntry(name: "\u{E9}", cid: xLeaf, tsize: 1))
            Issue.record("a duplicate name was accepted")
        } catch {
            guard case .duplicateEntryName(directory: "d", name: "\u{E9}") = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
    }

    /// unixfs-v1-2025 shards by block size: kubo's fixture directory exactly at 262144 bytes stays basic, and the
    /// same directory one byte larger (its last name one character longer) would be a HAMT.
    @Test func blockSizeRuleMatchesKubosFixture() throws {
        var atThreshold = DirectoryNodeBuilder(path: "at")
        for name in kuboFixtureNames(count: 4766, nameLength: 11, lastNameLength: 21, seed: "hamt-unixfs-v1-2025") {
            try atThreshold.add(DirectoryEntry(name: name, cid: xLeaf, tsize: 1))
        }
        let built = try atThreshold.finish(sharding: ImportProfile.unixfsV1_2025.directorySharding)
        // Kubo fixture: DirBasicCID of the unixfs-v1-2025 profile.
        #expect(built.cid.description == "bafybeic3h7rwruealwxkacabdy45jivq2crwz6bufb5ljwupn36gicplx4")
        #expect(built.block.bytes.count == 262_144)

        var overThreshold = DirectoryNodeBuilder(path: "over")
        for name in kuboFixtureNames(count: 4766, nameLength: 11, lastNameLength: 22, seed: "hamt-unixfs-v1-2025") {
            try overThreshold.add(DirectoryEntry(name: name, cid: xLeaf, tsize: 1))
        }
        do {
            _ = try overThreshold.finish(sharding: ImportProfile.unixfsV1_2025.directorySharding)
            Issue.record("a directory over the threshold was built")
        } catch {
            guard case .wouldBeSharded("over", 4766, 262_145, 262_144, .blockBytes) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(error.description.contains("over"))
            #expect(error.description.contains("4766 entries"))
            #expect(error.description.contains("would be sharded by kubo"))
        }
    }

    /// unixfs-v0-2015 (kubo's default) estimates Σ(name bytes + CID bytes); a CIDv1 is 36 bytes, so 4096 names of
    /// 28 bytes give exactly 262144 (basic) and one name a byte longer gives 262145 (kubo would shard).
    @Test func linkEstimateRuleAtTheThreshold() throws {
        func directory(lastNameLength: Int) throws -> DirectoryNodeBuilder {
            var builder = DirectoryNodeBuilder(path: "flat")
            for index in 0..<4096 {
                let stem = String(index)
                let length = index == 4095 ? lastNameLength : 28
                let name = stem + String(repeating: "n", count: length - stem.count)
                try builder.add(DirectoryEntry(name: name, cid: xLeaf, tsize: 1))
            }
            return builder
        }
        let rule = ImportProfile.unixfsV0_2015_cidv1.directorySharding
        #expect(rule == .legacyLinks)
        let basic = try directory(lastNameLength: 28).finish(sharding: rule)
        #expect(basic.entryCount == 4096)
        #expect(throws: DirectoryImportError.self) { try directory(lastNameLength: 29).finish(sharding: rule) }
        let over = try directory(lastNameLength: 29)
        do {
            _ = try over.finish(sharding: rule)
        } catch {
            guard case .wouldBeSharded("flat", 4096, 262_145, 262_144, .legacyLinks) = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
    }

    @Test func symlinkNodeHoldsItsTarget() throws {
        let block = SymlinkNode.block(target: "../elsewhere")
        #expect(block.cid.codec == .dagPB)
        #expect(try UnixFSNode(decoding: block) == .symlink(target: "../elsewhere"))
        let node = try PBNode(decoding: block.bytes)
        #expect(node.links.isEmpty)
        #expect(try UnixFSData(decoding: node.data!) == UnixFSData(type: .symlink, data: Array("../elsewhere".utf8)))
    }

    @Test func readersRefuseUnsafeOrRepeatedNames() throws {
        for name in ["..", ".", "", "a/b"] {
            let bytes = PBNode(
                links: [PBLink(hash: xLeaf, name: name, tsize: 1)], data: UnixFSData(type: .directory).encoded()
            ).encoded()
            let block = try Block(codec: .dagPB, hashing: bytes)
            #expect(throws: DAGReadError.unsafeEntryName(block.cid, name: name)) { try UnixFSNode(decoding: block) }
        }
        let repeated = PBNode(
            links: [PBLink(hash: xLeaf, name: "a", tsize: 1), PBLink(hash: xLeaf, name: "a", tsize: 1)],
            data: UnixFSData(type: .directory).encoded()
        ).encoded()
        let block = try Block(codec: .dagPB, hashing: repeated)
        #expect(throws: DAGReadError.duplicateEntryName(block.cid, name: "a")) { try UnixFSNode(decoding: block) }
    }

    @Test func readingADirectoryAsAFileSaysItIsADirectory() throws {
        let store = MemoryBlockStore()
        let built = try DirectoryNodeBuilder(path: "d").finish(sharding: .legacyLinks)
        store.put(built.block)
        do {
            _ = try DAGReader(root: built.cid, store: store)
            Issue.record("a directory was read as a file")
        } catch {
            #expect(error.description == "\(built.cid) is a directory, not a file")
        }
    }
}
