import ArgumentParser
import Blocks
import DHTDaemon
import Foundation

/// `--data DIR` and `--json`, shared by the commands that talk to a running daemon.
struct DaemonClientOptions: ParsableArguments {
    @Option(
        name: .customLong("data"),
        help: ArgumentHelp("The daemon's data folder (default: $DHTNODE_DATA, or ~/.dhtnode).", valueName: "dir")
    )
    var dataPath: String?

    @Flag(name: .customLong("json"), help: "Print the API's JSON answer instead of text.")
    var json = false

    /// The data directory, resolved.
    var dataDirectory: DataDirectory { DataDirectory.resolve(dataPath) }

    func validate() throws {
        if let dataPath, dataPath.isEmpty { throw ValidationError("--data needs a folder path") }
    }

    /// Connects to the daemon and runs `body`, turning every client error into a one-line ``CLIError``.
    func withClient<T>(_ body: (ControlClient) async throws(ControlClientError) -> T) async throws -> T {
        let client: ControlClient
        do {
            client = try ControlClient(dataDirectory: dataDirectory)
        } catch {
            throw CLIError(error.description)
        }
        let result: Result<T, ControlClientError>
        do {
            result = .success(try await body(client))
        } catch {
            result = .failure(error)
        }
        await client.close()
        do {
            return try result.get()
        } catch {
            throw CLIError(error.description)
        }
    }

    /// Prints `document` as indented JSON on stdout.
    func printJSON(_ document: some Encodable) throws {
        try JSONOutput.print(document)
    }
}

/// The one JSON style of every command's `--json`: indented, keys sorted (camelCase, units in the names, as the
/// control API's documents have them), slashes as they are, and nothing in it that acts on a terminal.
enum JSONOutput {
    static func print(_ document: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Swift.print(terminalSafe(try encoder.encode(document)))
    }

    /// JSON text as it is printed. `JSONEncoder` writes the C0 controls inside strings as `\u001b` but DEL, C1,
    /// bidi and other format characters as they are, and a terminal acts on those; JSON lets any character be
    /// written `\uXXXX`, so they are (``UntrustedText/acts(_:)``), and the document decodes to the same strings.
    static func terminalSafe(_ json: Data) -> String {
        let text = String(decoding: json, as: UTF8.self)
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) { output += escaped(scalar) } else { output.unicodeScalars.append(scalar) }
        }
        return output
    }

    /// `scalar` as JSON's `\uXXXX`, a surrogate pair above U+FFFF.
    static func escaped(_ scalar: Unicode.Scalar) -> String {
        UTF16.encode(scalar)!.map { unit in
            let hex = String(unit, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }.joined()
    }

    /// The C0 controls are escaped inside strings already, and outside them are the document's own line breaks.
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x7F && UntrustedText.acts(scalar)
    }
}
