import ArgumentParser
import Blocks
import Foundation

/// `--repo PATH`, shared by every command that works on the local block repository.
///
/// The repository folder is `--repo PATH` when given; otherwise `$DHTNODE_DATA/repo`, or `~/.dhtnode/repo` when
/// `DHTNODE_DATA` is not set. The data folder is created on first write; read commands never create anything.
struct RepoOptions: ParsableArguments {
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
        let environment = ProcessInfo.processInfo.environment
        if let data = environment["DHTNODE_DATA"], !data.isEmpty { return data + "/repo" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.dhtnode/repo"
    }

    func validate() throws {
        if let repoPath, repoPath.isEmpty { throw ValidationError("--repo needs a folder path") }
    }

    /// Opens the repository for writing (taking its lock), creating it and its parent folders when missing.
    func openForWriting() throws -> FileBlockStore {
        let path = self.path
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && !FileManager.default.fileExists(atPath: parent) {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw CLIError("cannot create the data folder \(parent): \(error.localizedDescription)")
            }
        }
        do {
            return try FileBlockStore(path: path, mode: .readWrite, create: true)
        } catch {
            throw CLIError(error)
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
