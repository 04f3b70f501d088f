import ArgumentParser
import Blocks
import Foundation

/// `dhtnode ls CID[/path]`: the entries of a directory, from the repository (through the daemon when one runs,
/// which fetches what it lacks from peers).
struct LsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List a directory's entries: CID, size and name (directories end in '/').",
        discussion: """
            The size is the entry's cumulative size as its link records it (Tsize: its blocks, DAG nodes \
            included), as `ipfs ls` prints it. Every block read is verified.
            """
    )

    @OptionGroup var repo: RepoOptions

    @Argument(help: "The directory: a CID, or CID/path inside a directory tree.")
    var path: String


    func run() async throws {
        let path = try ContentPath(parsing: path)
        if let client = try repo.daemonClient() {
            try await client.using { client in try await list(path, from: DaemonFileSource(client: client)) }
        } else {
            try await list(path, from: RepositoryFileSource(store: try repo.openForReading()))
        }
    }

    private func list(_ path: ContentPath, from source: some FileTreeSource) async throws {
        let cid = try await source.resolve(path)
        guard case .directory(let entries) = try await source.node(cid) else {
            throw CLIError("\(UntrustedText.escaped(path.description)) is not a directory")
        }
        var listed: [Listed] = []
        for entry in entries {
            let type: String
            switch entry.cid.codec == .raw ? .file : try await source.node(entry.cid) {
            case .file: type = "file"
            case .directory, .hamtShard: type = "directory"
            case .symlink: type = "symlink"
            }
            listed.append(Listed(name: entry.name, cid: entry.cid.description, size: entry.tsize, type: type))
        }
        if repo.json { return try repo.printJSON(["entries": listed]) }
        for entry in listed {
            let name = UntrustedText.escaped(entry.name) + (entry.type == "directory" ? "/" : "")
            print("\(entry.cid) \(entry.size) \(name)")
        }
    }

    private struct Listed: Encodable {
        var name: String
        var cid: String
        var size: UInt64
        var type: String
    }
}
