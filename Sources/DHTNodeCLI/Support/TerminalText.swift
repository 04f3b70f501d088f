/// Text from outside (names in a DAG, a symbolic link's target, a peer's words) made safe to print: control
/// characters, which could move the cursor or rewrite the screen, are shown as escapes (`\e`, `\n`, `\u{9b}`).
enum TerminalText {
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x1b: result += "\\e"
            case 0x0a: result += "\\n"
            case 0x0d: result += "\\r"
            case 0x09: result += "\\t"
            case 0x5c: result += "\\\\"
            case 0x00..<0x20, 0x7f..<0xa0, 0x2028, 0x2029:
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
