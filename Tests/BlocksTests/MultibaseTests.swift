import Testing

@testable import Blocks

@Suite struct MultibaseTests {
    // RFC 4648 section 10 test vectors, lowercase and without padding.
    @Test(arguments: [
        ("", ""), ("f", "my"), ("fo", "mzxq"), ("foo", "mzxw6"), ("foob", "mzxw6yq"), ("fooba", "mzxw6ytb"),
        ("foobar", "mzxw6ytboi"),
    ])
    func base32MatchesRFC4648(plain: String, encoded: String) throws {
        #expect(Base32.encode(Array(plain.utf8)) == encoded)
        #expect(try Base32.decode(encoded) == Array(plain.utf8))
    }

    @Test func base32RoundTripsEveryLength() throws {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(try Base32.decode(Base32.encode(bytes)) == bytes)
        }
    }

    @Test func base32RejectsBadCharactersWithTheirOffset() {
        #expect(throws: MultibaseError.invalidCharacter(UInt8(ascii: "1"), offset: 3)) { try Base32.decode("mzx1") }
        #expect(throws: MultibaseError.invalidCharacter(UInt8(ascii: "M"), offset: 0)) { try Base32.decode("MZXQ") }
        #expect(throws: MultibaseError.invalidCharacter(UInt8(ascii: "="), offset: 4)) {
            try Base32.decode("mzxq====")
        }
    }

    @Test func base32RejectsImpossibleLengthsAndNonCanonicalText() {
        #expect(throws: MultibaseError.invalidLength(1)) { try Base32.decode("m") }
        #expect(throws: MultibaseError.invalidLength(3)) { try Base32.decode("mzx") }
        #expect(throws: MultibaseError.invalidLength(6)) { try Base32.decode("mzxw6y") }
        // "mz" encodes 'f' only if the last 2 bits are 0; "mz" has them set to 01.
        #expect(throws: MultibaseError.nonZeroPaddingBits) { try Base32.decode("mz") }
    }

    @Test func base58MatchesKnownEncodings() throws {
        #expect(Base58BTC.encode(Array("Hello World!".utf8)) == "2NEpo7TZRRrLZSi2U")
        #expect(try Base58BTC.decode("2NEpo7TZRRrLZSi2U") == Array("Hello World!".utf8))
        #expect(Base58BTC.encode([0, 0, 1]) == "112")
        #expect(try Base58BTC.decode("112") == [0, 0, 1])
        #expect(Base58BTC.encode([]) == "")
        #expect(try Base58BTC.decode("") == [])
        #expect(try Base58BTC.decode("1") == [0])
    }

    @Test func base58RoundTrips() throws {
        for length in 0..<50 {
            var bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 91 &+ 7) }
            if length > 3 { bytes[0] = 0 }
            #expect(try Base58BTC.decode(Base58BTC.encode(bytes)) == bytes)
        }
    }

    @Test func base58RejectsCharactersOutsideTheAlphabet() {
        for (text, bad, offset) in [("abc0", "0", 3), ("O", "O", 0), ("1I", "I", 1), ("zl", "l", 1), ("a b", " ", 1)] {
            #expect(throws: MultibaseError.invalidCharacter(UInt8(ascii: Unicode.Scalar(bad)!), offset: offset)) {
                try Base58BTC.decode(text)
            }
        }
    }

    @Test func multibaseReadsThePrefix() throws {
        #expect(try Multibase.decode("bmzxw6").base == .base32)
        #expect(try Multibase.decode("bmzxw6").bytes == Array("foo".utf8))
        #expect(try Multibase.decode("z2NEpo7TZRRrLZSi2U").bytes == Array("Hello World!".utf8))
        #expect(Multibase.base32.encode(Array("foo".utf8)) == "bmzxw6")
        #expect(Multibase.base58btc.encode([0, 1]) == "z12")
    }

    @Test func multibaseErrorsNameTheProblem() {
        #expect(throws: MultibaseError.empty) { try Multibase.decode("") }
        #expect(throws: MultibaseError.unsupportedPrefix(UInt8(ascii: "B"), name: "base32upper")) {
            try Multibase.decode("BMZXW6")
        }
        #expect(throws: MultibaseError.unsupportedPrefix(UInt8(ascii: "x"), name: nil)) { try Multibase.decode("x") }
        // Offsets count the prefix character.
        #expect(throws: MultibaseError.invalidCharacter(UInt8(ascii: "8"), offset: 3)) {
            try Multibase.decode("bmz8w6")
        }
        #expect(
            MultibaseError.unsupportedPrefix(UInt8(ascii: "f"), name: "base16").description
                == "unsupported multibase prefix 'f' (base16)")
    }
}
