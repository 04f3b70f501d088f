import DHTDaemon
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct APITokenTests {
    @Test func aTokenIs64HexDigitsAndNewEachTime() {
        let a = APIToken.generate()
        let b = APIToken.generate()
        #expect(a.text.count == 64)
        #expect(a.text.allSatisfy { $0.isHexDigit })
        #expect(a != b)
        #expect(!"\(a)".contains(a.text), "the description must not show the secret")
    }

    @Test func theTokenFileIsReadableByTheOwnerOnly() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/api-token"
            let token = APIToken.generate()
            try token.save(to: path)
            #expect(try fileMode(path) == 0o600)
            #expect(try APIToken.load(from: path) == token)
            // A new start replaces it, still 0600, with no temporary file left behind.
            let next = APIToken.generate()
            try next.save(to: path)
            #expect(try fileMode(path) == 0o600)
            #expect(try APIToken.load(from: path) == next)
            #expect(folderEntries(folder) == ["api-token"])
        }
    }

    @Test func theModeIs0600WhateverTheUmask() throws {
        try withTemporaryFolder { folder in
            let old = umask(0)
            defer { umask(old) }
            let path = folder + "/api-token"
            try APIToken.generate().save(to: path)
            #expect(try fileMode(path) == 0o600)
        }
    }

    @Test func matchingComparesTheWholeToken() {
        let token = APIToken.generate()
        #expect(token.matches(token.text))
        #expect(!token.matches(String(token.text.dropLast())))
        #expect(!token.matches(token.text + "0"))
        #expect(!token.matches(""))
        #expect(!token.matches(APIToken.generate().text))
    }

    @Test func aMalformedTokenFileIsReported() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/api-token"
            try writeFile(path, Array("not a token\n".utf8), mode: 0o600)
            #expect(throws: PersistenceError.self) { try APIToken.load(from: path) }
            #expect {
                try APIToken.load(from: folder + "/missing")
            } throws: { ($0 as? PersistenceError)?.code == .missing }
        }
    }
}
