#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import DHTCrypto

@Suite struct IdentityFileTests {
    static let seedHex = RFC8032Vector1.seed
    static let publicKeyHex = RFC8032Vector1.publicKey

    static func text(_ lines: String...) -> [UInt8] {
        Array(lines.joined(separator: "\n").utf8)
    }

    // MARK: Saving and loading

    @Test func roundTripsThroughAFile() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/node.key"
            let identity = NodeIdentity.generate()
            try IdentityFile.save(identity, to: path)
            let loaded = try IdentityFile.load(from: path)
            #expect(loaded.publicKey == identity.publicKey)
            #expect(loaded.sign([1, 2, 3]) == identity.sign([1, 2, 3]))
            #expect(folderEntries(folder) == ["node.key"], "no temporary file is left behind")
        }
    }

    @Test func savesTheDocumentedFormatWithMode0600() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/node.key"
            let identity = try NodeIdentity(seed: Hex.decode(Self.seedHex))
            try IdentityFile.save(identity, to: path)
            #expect(try fileMode(path) == 0o600)
            let expected = "swift-dht-ed25519-seed-v1\n\(Self.seedHex)\n\(Self.publicKeyHex)\n"
            #expect(try readFile(path) == Array(expected.utf8))
        }
    }

    @Test func refusesToOverwriteUnlessAsked() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/node.key"
            let first = NodeIdentity.generate()
            let second = NodeIdentity.generate()
            try IdentityFile.save(first, to: path)

            let error = #expect(throws: IdentityFileError.self) { try IdentityFile.save(second, to: path) }
            #expect(error?.code == .fileExists)
            #expect(error?.path == path)
            #expect(error?.description.contains(path) == true)
            #expect(try IdentityFile.load(from: path).publicKey == first.publicKey)

            try IdentityFile.save(second, to: path, overwrite: true)
            #expect(try IdentityFile.load(from: path).publicKey == second.publicKey)
            #expect(try fileMode(path) == 0o600)
            #expect(folderEntries(folder) == ["node.key"])
        }
    }

    @Test func saveIntoAMissingFolderIsAnIOError() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/missing/node.key"
            let error = #expect(throws: IdentityFileError.self) {
                try IdentityFile.save(NodeIdentity.generate(), to: path)
            }
            #expect(error?.code == .ioError)
            #expect(error?.errno == ENOENT)
            #expect(error?.description.contains("No such file or directory") == true)
        }
    }

    @Test(arguments: [0o600, 0o400])
    func loadsPrivateModes(mode: Int) throws {
        try withTemporaryFolder { folder in
            let path = folder + "/node.key"
            try writeFile(path, Self.text("swift-dht-ed25519-seed-v1", Self.seedHex), mode: mode_t(mode))
            #expect(try IdentityFile.load(from: path).publicKey.hex == Self.publicKeyHex)
        }
    }

    @Test(arguments: [(0o644, "0644"), (0o640, "0640"), (0o604, "0604"), (0o620, "0620"), (0o602, "0602")])
    func refusesModesOpenToGroupOrOthers(mode: Int, octal: String) throws {
        try withTemporaryFolder { folder in
            let path = folder + "/node.key"
            try writeFile(path, Self.text("swift-dht-ed25519-seed-v1", Self.seedHex), mode: mode_t(mode))
            let error = #expect(throws: IdentityFileError.self) { try IdentityFile.load(from: path) }
            #expect(error?.code == .permissionsTooOpen)
            #expect(error?.mode == UInt32(mode))
            #expect(error?.path == path)
            let description = error?.description ?? ""
            #expect(description.contains(path))
            #expect(description.contains("mode \(octal)"))
            #expect(description.contains("group or others"))
            #expect(description.contains("chmod 600 \(path)"))
        }
    }

    @Test func permissionFixQuotesAPathWithSpaces() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/my node.key"
            try writeFile(path, Self.text("swift-dht-ed25519-seed-v1", Self.seedHex), mode: 0o644)
            let error = #expect(throws: IdentityFileError.self) { try IdentityFile.load(from: path) }
            #expect(error?.description.contains("chmod 600 '\(path)'") == true)
        }
    }

    @Test func missingFile() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/absent.key"
            let error = #expect(throws: IdentityFileError.self) { try IdentityFile.load(from: path) }
            #expect(error?.code == .fileMissing)
            #expect(error?.description == "identity file \(path) does not exist")
        }
    }

    @Test func folderIsNotARegularFile() throws {
        try withTemporaryFolder { folder in
            let error = #expect(throws: IdentityFileError.self) { try IdentityFile.load(from: folder) }
            #expect(error?.code == .notRegularFile)
        }
    }

    @Test func tooLargeFile() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/big.key"
            let bytes = Self.text("swift-dht-ed25519-seed-v1", Self.seedHex) + [UInt8](repeating: 0x20, count: 5000)
            try writeFile(path, bytes, mode: 0o600)
            let error = #expect(throws: IdentityFileError.self) { try IdentityFile.load(from: path) }
            #expect(error?.code == .fileTooLarge)
            #expect(error?.description.contains("\(bytes.count) bytes") == true)
        }
    }

    @Test func parseErrorsNameTheFile() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/node.key"
            try writeFile(path, Self.text("ssh-ed25519 AAAA", Self.seedHex), mode: 0o600)
            let error = #expect(throws: IdentityFileError.self) { try IdentityFile.load(from: path) }
            #expect(error?.code == .badHeader)
            #expect(error?.path == path)
            #expect(error?.description.hasPrefix("identity file \(path): line 1") == true)
            #expect(error?.description.contains("AAAA") == false, "the contents are never quoted")
        }
    }

    // MARK: Parsing

    @Test func parsesTwoAndThreeLineFiles() throws {
        let variants: [[UInt8]] = [
            Self.text("swift-dht-ed25519-seed-v1", Self.seedHex),
            Self.text("swift-dht-ed25519-seed-v1", Self.seedHex, ""),
            Self.text("swift-dht-ed25519-seed-v1", Self.seedHex, Self.publicKeyHex),
            Self.text("swift-dht-ed25519-seed-v1", Self.seedHex, Self.publicKeyHex, ""),
            Self.text("swift-dht-ed25519-seed-v1\r", Self.seedHex.uppercased() + "\r", Self.publicKeyHex + "\r", ""),
        ]
        for bytes in variants {
            #expect(try IdentityFile.parse(bytes).publicKey.hex == Self.publicKeyHex)
        }
    }

    @Test func encodeThenParse() throws {
        let identity = NodeIdentity.generate()
        #expect(try IdentityFile.parse(IdentityFile.encode(identity)).publicKey == identity.publicKey)
    }

    static let malformed: [(name: String, bytes: [UInt8], code: IdentityFileError.Code, says: String)] = [
        ("empty", [], .badHeader, "line 1 is not `swift-dht-ed25519-seed-v1`"),
        ("other header", text("swift-dht-ed25519-seed-v2", seedHex), .badHeader, "line 1"),
        ("header only", text("swift-dht-ed25519-seed-v1"), .missingSeed, "line 2"),
        ("header and newline", text("swift-dht-ed25519-seed-v1", ""), .missingSeed, "line 2"),
        ("empty seed line", text("swift-dht-ed25519-seed-v1", "", publicKeyHex), .wrongSeedLength,
         "found 0 characters"),
        ("short seed", text("swift-dht-ed25519-seed-v1", String(seedHex.dropLast())), .wrongSeedLength,
         "found 63 characters"),
        ("long seed", text("swift-dht-ed25519-seed-v1", seedHex + "00"), .wrongSeedLength, "found 66 characters"),
        ("bad seed hex", text("swift-dht-ed25519-seed-v1", "9d61bX" + seedHex.dropFirst(6)), .badHex,
         "line 2 has a character that is not a hex digit at offset 5"),
        ("seed with space", text("swift-dht-ed25519-seed-v1", " " + seedHex.dropFirst()), .badHex, "offset 0"),
        ("short public key", text("swift-dht-ed25519-seed-v1", seedHex, "d75a98"), .wrongPublicKeyLength,
         "found 6 characters"),
        ("bad public key hex", text("swift-dht-ed25519-seed-v1", seedHex, String(publicKeyHex.dropLast()) + "g"),
         .badHex, "line 3 has a character that is not a hex digit at offset 63"),
        ("other public key", text("swift-dht-ed25519-seed-v1", seedHex, String(repeating: "ab", count: 32)),
         .publicKeyMismatch, "but the seed gives \(publicKeyHex)"),
        ("fourth line", text("swift-dht-ed25519-seed-v1", seedHex, publicKeyHex, "extra"), .unexpectedContent,
         "line 4"),
        ("blank lines at the end", text("swift-dht-ed25519-seed-v1", seedHex, publicKeyHex, "", ""),
         .unexpectedContent, "line 4"),
        ("too large", text("swift-dht-ed25519-seed-v1", seedHex) + [UInt8](repeating: 10, count: 4096), .fileTooLarge,
         "larger than the 4096 bytes"),
        ("not UTF-8", [0xff, 0xfe] + text("swift-dht-ed25519-seed-v1", seedHex), .badHeader, "line 1"),
    ]

    @Test(arguments: malformed)
    func malformedTextGivesItsTypedError(
        _ testCase: (name: String, bytes: [UInt8], code: IdentityFileError.Code, says: String)
    ) {
        let error = #expect(throws: IdentityFileError.self, "\(testCase.name)") {
            try IdentityFile.parse(testCase.bytes)
        }
        #expect(error?.code == testCase.code, "\(testCase.name)")
        #expect(error?.path == nil)
        #expect(error?.description.contains(testCase.says) == true, "\(testCase.name): \(error?.description ?? "")")
    }

    @Test func badHexReportsItsPosition() {
        let bytes = Self.text("swift-dht-ed25519-seed-v1", "0123456789abcdefZ" + Self.seedHex.dropFirst(17))
        let error = #expect(throws: IdentityFileError.self) { try IdentityFile.parse(bytes) }
        #expect(error?.position?.line == 2)
        #expect(error?.position?.offset == 16)
    }

    @Test func arbitraryBytesNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        let valid = Self.text("swift-dht-ed25519-seed-v1", Self.seedHex, Self.publicKeyHex)
        for _ in 0..<2000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                }
                if bytes.isEmpty { break }
            }
            _ = try? IdentityFile.parse(bytes)
        }
    }
}
