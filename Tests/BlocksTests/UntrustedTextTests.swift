import Testing

@testable import Blocks

@Suite struct UntrustedTextTests {
    /// No scalar in the output acts on a terminal: printable ASCII, or a character that shows.
    static func isInert(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { !UntrustedText.acts($0) }
    }

    @Test func terminalSequencesAreShownNotSent() {
        let title = "\u{1B}]0;pwned\u{07}"
        #expect(UntrustedText.escaped(title) == #"\u{1B}]0;pwned\u{07}"#)
        #expect(UntrustedText.escaped("\u{1B}[2J\u{1B}[H") == #"\u{1B}[2J\u{1B}[H"#)
        #expect(UntrustedText.escaped("a\rb") == #"a\rb"#)
        #expect(!UntrustedText.escaped(title).unicodeScalars.contains("\u{1B}"))
    }

    @Test func everyC0ControlDELAndC1IsEscaped() {
        for value in Array(0x00...0x1F) + [0x7F] + Array(0x80...0x9F) {
            let scalar = Unicode.Scalar(UInt32(value))!
            let shown = UntrustedText.escaped("x" + String(scalar) + "y")
            #expect(Self.isInert(shown), "U+\(String(value, radix: 16)) was not escaped")
            #expect(shown.hasPrefix("x\\") && shown.hasSuffix("y"))
        }
        #expect(UntrustedText.escaped("\u{0}\t\n\r") == #"\0\t\n\r"#)
        #expect(UntrustedText.escaped("\u{7F}") == #"\u{7F}"#)
        #expect(UntrustedText.escaped("\u{9B}31m") == #"\u{9B}31m"#)
        #expect(UntrustedText.escaped("\u{85}") == #"\u{85}"#)
    }

    /// The escapes are the ones Swift's string literals read back as the same characters.
    @Test func escapesAreSwiftsOwn() {
        let text = "\u{1B}[31m\u{0}\t\n\r\u{7F}\u{9B}\u{202E}"
        #expect(UntrustedText.escaped(text) == #"\u{1B}[31m\0\t\n\r\u{7F}\u{9B}\u{202E}"#)
        #expect("\u{1B}".debugDescription == #""\u{1B}""#)
    }

    @Test func bidiControlsAndInvisibleFormatCharactersAreEscaped() {
        let bidi: [UInt32] = [
            0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
        ]
        for value in bidi {
            let shown = UntrustedText.escaped("a" + String(Unicode.Scalar(value)!) + "b")
            #expect(shown == "a\\u{\(String(value, radix: 16, uppercase: true))}b")
        }
        // "invoice‮fdp.exe" reads as "invoiceexe.pdf" on a terminal that applies bidi.
        #expect(UntrustedText.escaped("invoice\u{202E}fdp.exe") == #"invoice\u{202E}fdp.exe"#)
        let invisible: [UInt32] = [0x00AD, 0x200B, 0x2060, 0xFEFF, 0xFFF9, 0xE0001, 0xE0041]
        for value in invisible {
            #expect(Self.isInert(UntrustedText.escaped(String(Unicode.Scalar(value)!))))
        }
        #expect(UntrustedText.escaped("a\u{2028}b\u{2029}c") == #"a\u{2028}b\u{2029}c"#)
    }

    @Test func ordinaryNamesStayReadable() {
        let names = ["café", "日本", "naïve résumé.txt", "Ελληνικά", "עברית", "emoji 🙂.png", "👨‍👩‍👧", "a b (1).jpg", "it's"]
        for name in names {
            #expect(UntrustedText.escaped(name) == name)
            #expect(UntrustedText.controlsEscaped(name) == name)
        }
        // Decomposed accents and joiners are letters, not controls.
        #expect(UntrustedText.escaped("cafe\u{301}") == "cafe\u{301}")
        #expect(UntrustedText.escaped("می\u{200C}خواهم") == "می\u{200C}خواهم")
    }

    @Test func backslashesAreEscapedSoEscapesAreUnambiguous() {
        // A name holding the six characters \u{1B} is not shown like a name holding ESC.
        #expect(UntrustedText.escaped(#"\u{1B}"#) == #"\\u{1B}"#)
        #expect(UntrustedText.escaped("\u{1B}") == #"\u{1B}"#)
        #expect(UntrustedText.escaped(#"C:\dir"#) == #"C:\\dir"#)
    }

    @Test func quotedNamesCannotEndTheirField() {
        #expect(UntrustedText.quoted("a.txt") == #""a.txt""#)
        #expect(UntrustedText.quoted(#"x" level=error msg="forged"#) == #""x\" level=error msg=\"forged""#)
        #expect(UntrustedText.quoted("a\nb") == #""a\nb""#)
        #expect(UntrustedText.quoted(#"a\"#) == #""a\\""#)
        #expect(UntrustedText.quoted("日本") == "\"日本\"")
        // The unquoted form keeps quotes: they end nothing in a listing line.
        #expect(UntrustedText.escaped(#"say "hi""#) == #"say "hi""#)
    }

    @Test func invalidUTF8IsShownByteByByte() {
        #expect(UntrustedText.escaped(utf8: [0x61, 0xFF, 0x62]) == #"a\x{FF}b"#)
        #expect(UntrustedText.escaped(utf8: [0xC3]) == #"\x{C3}"#)
        // An overlong encoding of '/' and a lone continuation byte.
        #expect(UntrustedText.escaped(utf8: [0xC0, 0xAF, 0x80]) == #"\x{C0}\x{AF}\x{80}"#)
        // An encoded surrogate (ED A0 80) is not UTF-8.
        #expect(!UntrustedText.escaped(utf8: [0xED, 0xA0, 0x80]).contains("\u{FFFD}"))
        #expect(UntrustedText.escaped(utf8: [0x0F]) == #"\u{0F}"#)
        #expect(UntrustedText.escaped(utf8: Array("café \u{1B}[2J 日本".utf8)) == #"café \u{1B}[2J 日本"#)
        #expect(UntrustedText.escaped(utf8: [0x1B, 0x5D, 0xFE]) == #"\u{1B}]\x{FE}"#)
        #expect(UntrustedText.escaped(utf8: [UInt8]()) == "")
    }

    @Test func theLimitCapsTheOutputAndSaysWhatWasLeftOut() {
        let long = String(repeating: "a", count: 1000)
        let shown = UntrustedText.escaped(long, limit: 10)
        #expect(shown == "aaaaaaaaaa…(+990 bytes)")
        #expect(UntrustedText.escaped("short", limit: 10) == "short")
        #expect(UntrustedText.escaped("exactly10!", limit: 10) == "exactly10!")
        // An escape is never cut in half: the whole escape fits, or it is left out.
        #expect(UntrustedText.escaped("abcdefgh\u{1B}x", limit: 10) == "abcdefgh…(+2 bytes)")
        #expect(UntrustedText.escaped("日本語のファイル名", limit: 2) == "日本…(+21 bytes)")
        #expect(UntrustedText.quoted(long, limit: 3) == "\"aaa\"…(+997 bytes)")
        let invalid = [UInt8](repeating: 0xFF, count: 100)
        #expect(UntrustedText.escaped(utf8: invalid, limit: 12) == #"\x{FF}\x{FF}…(+98 bytes)"#)
        let megabyte = String(repeating: "\u{1B}", count: 1 << 20)
        #expect(UntrustedText.escaped(megabyte, limit: UntrustedText.logLimit).count < UntrustedText.logLimit + 32)
    }

    /// What the last guard (the CLI's error line, the log) leaves alone: backslashes and quotes, so a line built
    /// from parts escaped already is not escaped twice.
    @Test func controlsEscapedIsIdempotentOverEscapedText() {
        let name = "\u{1B}]0;pwned\u{7}\\\"\u{202E}"
        let line = "no entry \(UntrustedText.quoted(name)) in bafy…"
        #expect(UntrustedText.controlsEscaped(line) == line)
        #expect(UntrustedText.controlsEscaped("raw \u{1B}[2J name") == #"raw \u{1B}[2J name"#)
        #expect(Self.isInert(UntrustedText.controlsEscaped("x\u{9B}\u{202E}\u{2028}")))
        #expect(UntrustedText.controlsEscaped("a \"b\" \\c") == "a \"b\" \\c")
    }

    @Test func errorsThatNameEntriesQuoteThem() {
        let cid = CID.raw(Multihash(hashing: [UInt8]()))
        let error = DAGReadError.duplicateEntryName(cid, name: "\u{1B}[2J\"x")
        #expect(Self.isInert(error.description))
        #expect(error.description.contains(#""\u{1B}[2J\"x""#))
        let unsafe = DAGReadError.unsafeEntryName(cid, name: "a/\u{1B}")
        #expect(Self.isInert(unsafe.description))
    }
}
