import ArgumentParser
import Blocks
import DHTDaemon
import Foundation
import SystemPackage

/// `--data DIR`, `--repo PATH` and `--json`, shared by every command that works on the local block repository.
///
/// The repository folder is `--repo PATH` when given; otherwise the data folder's `repo`: `--data DIR`, else
/// `$DHTNODE_DATA`, else `~/.dhtnode`. The data folder is created on first write; read commands never create
/// anything.
///
/// Without `--repo`, the commands that the daemon serves (`add`, `cat`, `get`, `pin`, `gc`, `repo stat`) go
/// through the daemon of the data folder when one runs (``daemonClient(dataPath:)``): it holds the repository's
/// lock. The other writers then fail with a line that names the daemon (``openForWriting()``).
struct RepoOptions: ParsableArguments {
    @Option(
        name: .customLong("data"),
        help: ArgumentHelp(
            "The data folder: its daemon, or its repository DIR/repo (default: $DHTNODE_DATA, or ~/.dhtnode).",
            valueName: "dir"
        )
    )
    var dataPath: String?

    @Flag(name: .customLong("json"), help: "Print JSON instead of text.")
    var json = false

    @Option(
        name: .customLong("repo"),
        help: ArgumentHelp(
            "The block repository folder (default: $DHTNODE_DATA/repo, or ~/.dhtnode/repo).",
            valueName: "path"
        )
    )
    var repoPath: String?

    /// The repository folder, resolved.
    var path: String {
        if let repoPath, !repoPath.isEmpty { return repoPath }
        return DataDirectory.resolve(dataPath).path + "/repo"
    }

    func validate() throws {
        if let repoPath, repoPath.isEmpty { throw ValidationError("--repo needs a folder path") }
        if let dataPath, dataPath.isEmpty { throw ValidationError("--data needs a folder path") }
    }

    /// Prints `document` as indented JSON on stdout.
    func printJSON(_ document: some Encodable) throws {
        try JSONOutput.print(document)
    }

    /// Opens the repository for writing (taking its lock), creating it and its parent folders when missing.
    func openForWriting() throws -> FileBlockStore {
        let path = self.path
        let parent = FilePath(path).removingLastComponent().string
        if !parent.isEmpty && !FileManager.default.fileExists(atPath: parent) {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw CLIError("cannot create the data folder \(parent): \(error.localizedDescription)")
            }
        }
        do {
            return try FileBlockStore(path: path, mode: .readWrite, create: true)
        } catch BlockStoreError.locked(let repository, let holder?) {
            throw CLIError(Self.lockedMessage(repository: repository, holder: holder))
        } catch {
            throw CLIError(error)
        }
    }

    /// The error for a repository whose lock `holder` holds: when that is the daemon of the repository's data
    /// folder (its `api.json` names the PID), say so and what to do; otherwise the store's own message.
    static func lockedMessage(repository: String, holder: Int32) -> String {
        let repositoryPath = FilePath(repository)
        let data = DataDirectory(path: repositoryPath.removingLastComponent().string)
        guard repositoryPath.lastComponent?.string == "repo",
            let endpoint = try? APIEndpoint.load(from: data.apiEndpointPath), endpoint.pid == holder
        else {
            return BlockStoreError.locked(path: repository, holderPID: holder).description
        }
        return "the dhtnode daemon (PID \(holder)) holds the repository \(repository), and this command does not go "
            + "through it: stop the daemon (kill \(holder)) and run the command again"
    }

    /// A client of the daemon that serves this repository, or `nil` to work on the repository directly: when
    /// `--repo` was given, or no daemon runs for the data folder (no `api.json`, or one whose process has exited).
    ///
    /// - Throws: ``CLIError`` when `api.json` names a running daemon that cannot be used (a bad file, an unreadable
    ///   token): the daemon holds the repository, so working on it directly would fail too.
    func daemonClient() throws -> ControlClient? {
        if let repoPath, !repoPath.isEmpty { return nil }
        do {
            return try ControlClient(dataDirectory: DataDirectory.resolve(dataPath))
        } catch where error.code == .noDaemon || error.code == .staleEndpoint {
            return nil
        } catch {
            throw CLIError(error.description)
        }
    }

    /// Opens an existing repository for reading only (no lock, so it runs next to a writer).
    func openForReading() throws -> FileBlockStore {
        let path = self.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("no repository at \(path) (pass --repo PATH, or create one with `dhtnode add`)")
        }
        do {
            return try FileBlockStore(path: path, mode: .readOnly, create: false)
        } catch {
            throw CLIError(error)
        }
    }
}

extension ControlClient {
    /// Runs `body` with this client and closes it, whatever `body` does; a ``ControlClientError`` becomes a
    /// one-line ``CLIError``.
    func using<T>(_ body: (ControlClient) async throws -> T) async throws -> T {
        let result: Result<T, any Error>
        do {
            result = .success(try await body(self))
        } catch let error as ControlClientError {
            result = .failure(CLIError(error.description))
        } catch {
            result = .failure(error)
        }
        await close()
        return try result.get()
    }
}
