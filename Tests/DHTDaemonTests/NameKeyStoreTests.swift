import DHTCrypto
import DHTDaemon
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Named keys in the data folder: stored as the identity is, `self` reserved, names that cannot escape the folder.
@Suite struct NameKeyStoreTests {
    @Test func generatedKeysAreIdentityFilesOfMode0600InAFolderOf0700() throws {
        try withTemporaryFolder { folder in
            let store = NameKeyStore(dataDirectory: DataDirectory(path: folder + "/data"))
            let key = try store.generate("blog")
            #expect(store.path(of: "blog") == folder + "/data/keys/blog.key")
            #expect(try fileMode(store.path(of: "blog")) == 0o600)
            #expect(try fileMode(store.folder) == 0o700)
            #expect(try IdentityFile.load(from: store.path(of: "blog")).publicKey == key.publicKey)
            #expect(try store.load("blog").publicKey == key.publicKey)
            #expect(throws: NameKeyError.self) { try store.generate("blog") }
        }
    }

    @Test func selfIsTheIdentityListedFirstAndNeverGeneratedOrRemoved() throws {
        try withTemporaryFolder { folder in
            let data = DataDirectory(path: folder + "/data")
            let store = NameKeyStore(dataDirectory: data)
            _ = try store.generate("b")
            _ = try store.generate("a")
            #expect(try store.list().map(\.name) == ["a", "b"], "no identity yet: no self")
            let identity = try store.loadOrCreateSelf()
            #expect(try data.loadOrCreateIdentity().identity.publicKey == identity.publicKey)
            #expect(try store.list().map(\.name) == ["self", "a", "b"])
            #expect(try store.load("self").publicKey == identity.publicKey)
            #expect(throws: NameKeyError.self) { try store.generate("self") }
            #expect(throws: NameKeyError.self) { try store.remove("self") }
            try store.remove("a")
            #expect(try store.list().map(\.name) == ["self", "b"])
            #expect(throws: NameKeyError.self) { try store.remove("a") }
        }
    }

    @Test(arguments: ["", ".hidden", "-x", "a/b", "../up", "a b", "é", String(repeating: "k", count: 65)])
    func namesThatCouldEscapeOrConfuseAreRefused(name: String) {
        #expect(throws: NameKeyError.self) { try NameKeyStore.validate(name: name) }
    }

    @Test func aKeyOthersCanReadIsRefusedInOneLineNamingIt() throws {
        try withTemporaryFolder { folder in
            let store = NameKeyStore(dataDirectory: DataDirectory(path: folder + "/data"))
            _ = try store.generate("open")
            chmod(store.path(of: "open"), 0o644)
            #expect(throws: NameKeyError.self) { try store.load("open") }
            do throws(NameKeyError) {
                _ = try store.list()
                Issue.record("listing succeeded")
            } catch {
                #expect(
                    error.description.hasPrefix("key 'open': identity file \(store.path(of: "open")) has mode 0644")
                )
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func temporaryAndForeignFilesAreNotListed() throws {
        try withTemporaryFolder { folder in
            let store = NameKeyStore(dataDirectory: DataDirectory(path: folder + "/data"))
            _ = try store.generate("real")
            for stray in ["real.key.tmp-0011223344556677", "notes.txt", ".hidden.key"] {
                let fd = open(store.folder + "/" + stray, O_CREAT | O_WRONLY, 0o600)
                close(fd)
            }
            #expect(try store.list().map(\.name) == ["real"])
        }
    }
}
