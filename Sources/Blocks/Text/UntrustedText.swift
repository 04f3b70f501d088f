/// Text from outside (a name or a symbolic link's target in a DAG, a path in a request, a DHT value, a peer's or
/// the daemon's words) rendered so that writing it to a terminal or into a log line can do nothing but show it.
///
/// It lives in Blocks, the lowest module whose data carries names written by others, so the errors of Blocks and
/// Gateway, the daemon's log and the command line all render such text the same way.
///
/// Shown as escapes, in the form Swift's own string literals use:
/// - control characters, which move the cursor, set a window's title, clear the screen or end a log line: C0 as
///   `\0`, `\t`, `\n`, `\r` or `\u{1B}`, DEL as `\u{7F}`, C1 as `\u{9B}` (two hex digits at least, `\u{07}`, as
///   `debugDescription` writes them);
/// - the line and paragraph separators U+2028 and U+2029;
/// - invisible format characters (Unicode category Cf): the bidi controls (U+202A…U+202E, U+2066…U+2069, U+200E,
///   U+200F, U+061C), which reorder the rest of a line so that `exe.txt` can read as `txt.exe`; zero-width spaces,
///   word joiners, the byte order mark, soft hyphens, tag characters. The zero-width joiner and non-joiner (U+200D,
///   U+200C) stay: they shape emoji sequences and Persian and Indic words, and move nothing;
/// - a backslash, as `\\`, so that every escape in the output stands for exactly one character of the text;
/// - bytes that are not UTF-8 (``escaped(utf8:limit:)``), as `\x{FF}`;
/// - in ``quoted(_:limit:)``, a double quote, as `\"`, so a name cannot end the field it is quoted in.
///
/// Everything else (letters of any script, accents, emoji, spaces) stays as it is: `café` and `日本` read as
/// themselves. With a `limit`, at most that many characters are written (an escape is never cut), then `…` and
/// how many bytes of the text were left out: what a log line needs so that a name of a megabyte stays one line.
public enum UntrustedText {
    /// The cap for a name or a reason in a log line or an error message.
    public static let logLimit = 256

    /// `text` with the characters listed above as escapes.
    public static func escaped(_ text: some StringProtocol, limit: Int? = nil) -> String {
        var output = Output(limit: limit, totalBytes: text.utf8.count)
        for scalar in text.unicodeScalars {
            guard output.append(scalar, escapingBackslash: true, escapingQuote: false) else { break }
        }
        return output.finished()
    }

    /// `bytes` read as UTF-8, escaped as ``escaped(_:limit:)`` escapes text; each byte that is not part of a valid
    /// UTF-8 sequence is shown as `\x{FF}`.
    public static func escaped(utf8 bytes: some Collection<UInt8>, limit: Int? = nil) -> String {
        var output = Output(limit: limit, totalBytes: bytes.count)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var rest = bytes[...]
        decoding: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                rest = rest.dropFirst(encoded.count)
                guard output.append(scalar, escapingBackslash: true, escapingQuote: false) else { break decoding }
            case .error(let length):
                for byte in rest.prefix(length) {
                    guard output.append(byte: byte) else { break decoding }
                }
                rest = rest.dropFirst(length)
            case .emptyInput:
                break decoding
            }
        }
        return output.finished()
    }

    /// `text` escaped as ``escaped(_:limit:)`` does, and a double quote too, between double quotes: for a name
    /// inside a message or a log field, which it then cannot end. Past the limit, the note of what was left out
    /// follows the closing quote.
    public static func quoted(_ text: some StringProtocol, limit: Int? = nil) -> String {
        var output = Output(limit: limit, totalBytes: text.utf8.count)
        for scalar in text.unicodeScalars {
            guard output.append(scalar, escapingBackslash: true, escapingQuote: true) else { break }
        }
        return "\"" + output.text + "\"" + output.omission
    }

    /// A line this program composed, which may hold text from outside that nobody escaped: the characters that
    /// act (control, separator and format characters) become escapes, and backslashes and quotes stay, so that
    /// parts escaped already pass unchanged. The last guard where lines leave the program (error lines, the log).
    public static func controlsEscaped(_ text: some StringProtocol, limit: Int? = nil) -> String {
        var output = Output(limit: limit, totalBytes: text.utf8.count)
        for scalar in text.unicodeScalars {
            guard output.append(scalar, escapingBackslash: false, escapingQuote: false) else { break }
        }
        return output.finished()
    }

    /// Whether `scalar` acts rather than shows (a control, separator or format character): what the functions
    /// above show as an escape, for other escape syntaxes (JSON's `\u001B`).
    public static func acts(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E: false
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: true
        case 0x200C, 0x200D: false
        case 0xA0...: scalar.properties.generalCategory == .format
        default: false
        }
    }

    /// The escape of a character that acts: Swift's short forms, else `\u{HEX}`.
    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x00: return "\\0"
        case 0x09: return "\\t"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        default:
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "\\u{" + (hex.count == 1 ? "0" : "") + hex + "}"
        }
    }

    /// The rendering being built, with its limit.
    private struct Output {
        let limit: Int?
        let totalBytes: Int
        var text = ""
        var count = 0
        var consumedBytes = 0
        var omission = ""

        init(limit: Int?, totalBytes: Int) {
            self.limit = limit.map { max($0, 0) }
            self.totalBytes = totalBytes
            text.reserveCapacity(min(totalBytes, limit ?? totalBytes) + 2)
        }

        /// Appends `scalar`, escaped where it must be; `false` when the limit stopped the rendering.
        mutating func append(_ scalar: Unicode.Scalar, escapingBackslash: Bool, escapingQuote: Bool) -> Bool {
            let byteCount = UTF8.width(scalar)
            if UntrustedText.acts(scalar) {
                return append(UntrustedText.escape(scalar), bytes: byteCount)
            }
            if (escapingBackslash && scalar == "\\") || (escapingQuote && scalar == "\"") {
                return append("\\" + String(scalar), bytes: byteCount)
            }
            guard fits(1) else { return false }
            text.unicodeScalars.append(scalar)
            count += 1
            consumedBytes += byteCount
            return true
        }

        /// Appends a byte that is not UTF-8 as `\x{FF}`.
        mutating func append(byte: UInt8) -> Bool {
            let hex = String(byte, radix: 16, uppercase: true)
            return append("\\x{" + (hex.count == 1 ? "0" : "") + hex + "}", bytes: 1)
        }

        private mutating func append(_ piece: String, bytes: Int) -> Bool {
            guard fits(piece.unicodeScalars.count) else { return false }
            text += piece
            count += piece.unicodeScalars.count
            consumedBytes += bytes
            return true
        }

        /// Whether `n` more characters fit; when not, notes what is left out.
        private mutating func fits(_ n: Int) -> Bool {
            guard let limit, count + n > limit else { return true }
            omission = "…(+\(totalBytes - consumedBytes) bytes)"
            return false
        }

        func finished() -> String { text + omission }
    }
}
