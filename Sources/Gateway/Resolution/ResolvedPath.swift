import Blocks

/// A content path walked down to the node it names.
public struct ResolvedPath: Sendable {
    /// The blocks that prove each step of the path, root first: every directory passed through (not the terminal).
    public var pathBlocks: [Block]
    /// The block at the end of the path.
    public var terminal: Block
    /// What the terminal block is.
    public var node: UnixFSNode
    /// The last name of the path, when there is one (its extension gives a file's content type).
    public var name: String?

    /// The CID at the end of the path.
    public var cid: CID { terminal.cid }

    /// Walks `path` down from `root` (already fetched), through `source`.
    ///
    /// - Throws: ``GatewayError`` 404 for a name not in its directory or a path that goes on below a file or a
    ///   symbolic link; 502 for a block that is not valid
    ///   UnixFS; whatever `source` throws for a block it cannot provide.
    public static func resolve(_ path: ContentPath, root: Block, source: some GatewayBlockSource) async throws
        -> ResolvedPath
    {
        var pathBlocks: [Block] = []
        var current = root
        var node = try decode(root)
        for (index, name) in path.segments.enumerated() {
            let shown = "/" + path.segments[...index].joined(separator: "/")
            switch node {
            case .directory(let entries):
                guard let entry = entries.first(where: { $0.name == name }) else {
                    throw GatewayError.notFound(
                        "no \(UntrustedText.quoted(name, limit: UntrustedText.logLimit)) in the directory at "
                            + "\(parentText(path, index)) (\(current.cid))")
                }
                pathBlocks.append(current)
                current = try await source.block(entry.cid)
                node = try decode(current)
            case .hamtShard:
                let (shards, entry) = try await HAMTDirectory.lookup(name, in: current, source: source)
                guard let entry else {
                    throw GatewayError.notFound(
                        "no \(UntrustedText.quoted(name, limit: UntrustedText.logLimit)) in the directory at "
                            + "\(parentText(path, index)) (\(current.cid))")
                }
                pathBlocks.append(current)
                pathBlocks += shards
                current = try await source.block(entry)
                node = try decode(current)
            case .file:
                let below = UntrustedText.escaped(shown, limit: UntrustedText.logLimit)
                throw GatewayError.notFound("\(parentText(path, index)) is a file: there is no \(below) below it")
            case .symlink:
                throw GatewayError.notFound("\(parentText(path, index)) is a symbolic link, which paths do not follow")
            }
        }
        return ResolvedPath(pathBlocks: pathBlocks, terminal: current, node: node, name: path.segments.last)
    }

    /// The path up to (not including) segment `index`, for messages: escaped, since the names are the request's.
    static func parentText(_ path: ContentPath, _ index: Int) -> String {
        let text = "/" + ([path.root] + path.segments[..<index]).joined(separator: "/")
        return UntrustedText.escaped(text, limit: UntrustedText.logLimit)
    }

    /// Decodes a block, a broken one as 502.
    public static func decode(_ block: Block) throws(GatewayError) -> UnixFSNode {
        do {
            return try UnixFSNode(decoding: block)
        } catch {
            throw GatewayError(.badGateway, "\(block.cid) is not valid UnixFS: \(error.description)")
        }
    }
}
