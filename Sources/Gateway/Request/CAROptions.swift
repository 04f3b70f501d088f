/// How a CAR response is shaped (trustless gateway spec: `dag-scope`, `entity-bytes`, and IPIP-412's `order` and
/// `dups`).
public struct CAROptions: Hashable, Sendable {
    /// Which blocks follow the ones that verify the path.
    public enum Scope: String, Hashable, Sendable {
        /// The block at the end of the path only.
        case block
        /// What it takes to read the entity there: a whole file (or the bytes `entity-bytes` names), a
        /// directory's own node.
        case entity
        /// The whole DAG under the end of the path.
        case all
    }

    /// The `entity-bytes=from:to` range: inclusive offsets, negative ones counted from the end, `to` `nil` for `*`.
    public struct EntityBytes: Hashable, Sendable, CustomStringConvertible {
        /// The first byte (negative: from the end).
        public var from: Int64
        /// The last byte, inclusive (negative: from the end); `nil` for `*`, the end of the file.
        public var to: Int64?

        /// Parses `from:to`.
        ///
        /// - Throws: ``GatewayError`` 400 for anything else, or a range that runs backwards when both ends count
        ///   from the same side.
        public init(parsing text: some StringProtocol) throws(GatewayError) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let from = Int64(parts[0]), parts[1] == "*" || Int64(parts[1]) != nil else {
                throw .badRequest("entity-bytes '\(GatewayRoot.shown(text))' is not from:to (integers, or * for the end)")
            }
            let to = parts[1] == "*" ? nil : Int64(parts[1])
            if let to, (from >= 0) == (to >= 0), to < from {
                throw .badRequest("entity-bytes '\(text)' ends before it starts")
            }
            self.from = from
            self.to = to
        }

        /// The bytes of a file of `size` bytes this selects, half-open; `nil` when it selects none.
        public func resolved(size: UInt64) -> Range<UInt64>? {
            let size = Int64(clamping: size)
            let first = from < 0 ? max(0, size + from) : from
            let last = to.map { $0 < 0 ? size + $0 : min($0, size - 1) } ?? (size - 1)
            guard first < size, last >= first else { return nil }
            return UInt64(first)..<UInt64(last + 1)
        }

        public var description: String { "\(from):\(to.map(String.init) ?? "*")" }
    }

    /// The scope; `all` by default, `entity` when `entity-bytes` is given.
    public var scope: Scope = .all
    /// The byte range of a file entity.
    public var entityBytes: EntityBytes?
    /// Whether a block that occurs twice in the walk is sent twice (`dups=y`); `n` by default, as the spec advises.
    public var duplicates = false

    /// The default options: the whole DAG, depth-first, each block once.
    public init(scope: Scope = .all, entityBytes: EntityBytes? = nil, duplicates: Bool = false) {
        self.scope = scope
        self.entityBytes = entityBytes
        self.duplicates = duplicates
    }

    /// The response's `Content-Type`.
    public var contentType: String { "application/vnd.ipld.car; version=1; order=dfs; dups=\(duplicates ? "y" : "n")" }

    /// What tells two CAR responses of one path apart, for the ETag.
    public var variant: String {
        "\(scope.rawValue).\(entityBytes?.description ?? "").\(duplicates ? "y" : "n")"
    }
}
