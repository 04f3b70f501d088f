import ArgumentParser
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
/// control API's documents have them), slashes as they are.
enum JSONOutput {
    static func print(_ document: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(document)
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}
