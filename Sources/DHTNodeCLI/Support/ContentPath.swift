import Blocks

/// What a user names content by: a CID, a CID and a path inside its directory tree (`CID/img/a.png`), or either
/// behind `/ipfs/`, as gateways and kubo write them.
struct ContentPath: CustomStringConvertible {
    /// The tree's root.
    var root: CID
    /// The names to follow from the root, one directory level each.
    var components: [String]

    var description: String { ([root.description] + components).joined(separator: "/") }

    /// The last name in the path, or the root CID's text: what `get` names its output after.
    var lastName: String { components.last ?? root.description }

    /// Parses `text`, saying which argument was wrong.
    ///
    /// - Throws: ``CLIError`` for a bad CID, or a `.` or `..` component (a path inside a DAG names entries only).
    init(parsing text: String, what: String = "CID") throws {
        var rest = Substring(text)
        if rest.hasPrefix("/ipfs/") { rest = rest.dropFirst("/ipfs/".count) }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let first = parts.first else { throw CLIError("invalid \(what) '\(text)': empty") }
        root = try parseCID(first, what: what)
        components = Array(parts.dropFirst())
        if let bad = components.first(where: { $0 == "." || $0 == ".." }) {
            throw CLIError("invalid \(what) '\(text)': '\(bad)' is not a name inside a directory")
        }
    }
}

extension FileTreeSource {
    /// The CID that `path` names: its root when it has no components, else each name looked up in the directory
    /// before it.
    ///
    /// - Throws: ``CLIError`` naming the step that failed: a name that is not there, or a step through something
    ///   that is not a directory.
    func resolve(_ path: ContentPath) async throws -> CID {
        var cid = path.root
        var walked = path.root.description
        for name in path.components {
            switch try await node(cid) {
            case .directory(let entries):
                guard let entry = entries.first(where: { $0.name == name }) else {
                    throw CLIError("no entry \(UntrustedText.quoted(name)) in \(UntrustedText.escaped(walked))")
                }
                cid = entry.cid
            case .hamtShard:
                throw CLIError(
                    "\(UntrustedText.escaped(walked)) is a HAMT-sharded directory, which is not supported yet")
            case .file, .symlink:
                throw CLIError("\(UntrustedText.escaped(walked)) is not a directory")
            }
            walked += "/" + name
        }
        return cid
    }
}
