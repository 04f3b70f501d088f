import ArgumentParser
import DHTDaemon
import Foundation
import Names

/// `--data DIR` and `--json` for the commands that use the data folder's named keys (`key`, `name`): the same
/// folder as every other command's `--data`.
struct KeyStoreOptions: ParsableArguments {
    @Option(
        name: .customLong("data"),
        help: ArgumentHelp(
            "The data folder, whose identity is the key 'self' and whose keys/ holds the others "
                + "(default: $DHTNODE_DATA, or ~/.dhtnode).",
            valueName: "dir"
        )
    )
    var dataPath: String?

    @Flag(name: .customLong("json"), help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        if let dataPath, dataPath.isEmpty { throw ValidationError("--data needs a folder path") }
    }

    /// The key store of the data folder.
    var store: NameKeyStore { NameKeyStore(dataDirectory: DataDirectory.resolve(dataPath)) }

    /// Runs `body`, turning a key store error into its one line.
    func using<T>(_ body: (NameKeyStore) throws(NameKeyError) -> T) throws -> T {
        do {
            return try body(store)
        } catch {
            throw CLIError(error.description)
        }
    }
}

/// Durations as the command line writes them: whole numbers with a unit, one or more (`90s`, `5m`, `48h`,
/// `1h30m`); units `ms`, `s`, `m`, `h`, `d`.
enum DurationText {
    static func parse(_ text: String, what: String) throws -> Duration {
        var total = Duration.zero
        var rest = Substring(text)
        guard !rest.isEmpty else { throw ValidationError("\(what) is empty: write a duration such as 5m or 48h") }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            let afterDigits = rest.dropFirst(digits.count)
            let unit = afterDigits.prefix { $0.isASCII && $0.isLetter }
            guard let number = Int64(digits), !unit.isEmpty else {
                throw ValidationError("\(what) '\(text)' is not a duration: write e.g. 30s, 5m, 48h or 1h30m")
            }
            let part: Duration
            switch unit {
            case "ms": part = .milliseconds(number)
            case "s": part = .seconds(number)
            case "m": part = .seconds(number) * 60
            case "h": part = .seconds(number) * 3600
            case "d": part = .seconds(number) * 86_400
            default:
                throw ValidationError("\(what) '\(text)': unknown unit '\(unit)' (use ms, s, m, h or d)")
            }
            total += part
            rest = afterDigits.dropFirst(unit.count)
        }
        return total
    }

    /// A duration as the shortest text of whole units that gives it back (`5m`, `48h`, `1h30m`, `1500ms`).
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds != 0 || seconds < 0 {
            let nanos = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
            return nanos.truncatingRemainder(dividingBy: 1e6) == 0 ? "\(Int64(nanos / 1e6))ms" : "\(Int64(nanos))ns"
        }
        if seconds == 0 { return "0s" }
        var text = ""
        var rest = seconds
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }
}
