import Blocks

/// The blocks of a CAR response, in order: the blocks that prove the path, then those the scope asks for under
/// the path's end, depth-first with links in order (`order=dfs`). With `dups=n` a block goes out once, at its
/// first sighting; with `dups=y` at every sighting. Blocks come from the source one at a time and go out as they
/// come, so a CAR of any size streams in the memory of one block and the walk's stack.
public enum CARBlockWalk {
    /// Most blocks on the walk's stack (pending links): a directory with more entries than this is refused
    /// rather than held in memory twice.
    public static let maxPendingLinks = 1 << 20
    /// Most blocks one walk sends. With `dups=y` a DAG that links one subtree from many places is sent once per
    /// place, and a small hostile DAG (each level linking the next twice) would otherwise name 2^depth blocks.
    public static let maxSentBlocks = 1 << 22

    /// Walks `resolved` for `options`, giving each block to `emit`.
    ///
    /// - Throws: whatever `source` or `emit` throws; ``GatewayError`` 502 for a block that cannot be decoded.
    public static func walk(
        _ resolved: ResolvedPath,
        options: CAROptions,
        source: some GatewayBlockSource,
        emit: (Block) async throws -> Void
    ) async throws {
        var seen = Set<Multihash>()
        func send(_ block: Block) async throws {
            if options.duplicates || seen.insert(block.cid.multihash).inserted { try await emit(block) }
        }
        for block in resolved.pathBlocks { try await send(block) }
        switch options.scope {
        case .block:
            try await send(resolved.terminal)
        case .entity:
            switch resolved.node {
            case .file:
                try await walkFile(resolved.terminal, range: options.entityBytes, source: source, send: send)
            case .hamtShard:
                try await walkAll(
                    resolved.terminal, source: source, duplicates: options.duplicates,
                    follow: { $0.name?.utf8.count == 2 }, send: send)
            case .directory, .symlink:
                try await send(resolved.terminal)
            }
        case .all:
            try await walkAll(
                resolved.terminal, source: source, duplicates: options.duplicates, follow: { _ in true }, send: send)
        }
    }

    /// A file's blocks for `range` (the whole file when `nil`), as a reader meets them.
    static func walkFile(
        _ root: Block,
        range: CAROptions.EntityBytes?,
        source: some GatewayBlockSource,
        send: (Block) async throws -> Void
    ) async throws {
        try await send(root)
        var walker: FileDAGWalker
        do {
            let size = try FileDAGWalker(root: root, range: 0..<0).fileSize
            let selected = range.map { $0.resolved(size: size) ?? 0..<0 }
            walker = try FileDAGWalker(root: root, range: selected)
        } catch {
            throw GatewayError(.badGateway, "\(root.cid) is not a readable file: \(error.description)")
        }
        while true {
            switch walker.next() {
            case .finished: return
            case .bytes: continue
            case .need(let cid):
                let block = try await source.block(cid)
                do { try walker.deliver(block) } catch {
                    throw GatewayError(.badGateway, "\(cid) is not a readable part of \(root.cid): \(error.description)")
                }
                try await send(block)
            }
        }
    }

    /// Every block under `root` (dag-pb links whose link passes `follow`), depth-first, links in order.
    static func walkAll(
        _ root: Block,
        source: some GatewayBlockSource,
        duplicates: Bool,
        follow: (PBLink) -> Bool,
        send: (Block) async throws -> Void
    ) async throws {
        var stack: [CID] = []
        var visited = Set<Multihash>()
        var sent = 0
        var next: Block? = root
        while true {
            let block: Block
            if let pending = next {
                block = pending
                next = nil
            } else if let cid = stack.popLast() {
                if !duplicates, visited.contains(cid.multihash) { continue }
                block = try await source.block(cid)
            } else {
                return
            }
            // Without duplicates a block met again is skipped with everything under it (sent the first time).
            guard duplicates || visited.insert(block.cid.multihash).inserted else { continue }
            sent += 1
            guard sent <= maxSentBlocks else {
                throw GatewayError(.badGateway, "the DAG under \(root.cid) names more than \(maxSentBlocks) blocks")
            }
            try await send(block)
            guard block.cid.codec == .dagPB else { continue }
            let links: [PBLink]
            do { links = try PBNode(decoding: block.bytes).links } catch {
                throw GatewayError(.badGateway, "\(block.cid) is not valid dag-pb: \(error)")
            }
            guard stack.count + links.count <= maxPendingLinks else {
                throw GatewayError(.badGateway, "\(block.cid) has too many links to walk")
            }
            stack += links.reversed().filter(follow).map(\.hash)
        }
    }
}
