import Foundation

/// The content path of a gateway request, `/ipfs/{cid}[/{name}…]`, split and percent-decoded.
///
/// Names are decoded one segment at a time, so `%2F` inside a name can never become a path separator: it is
/// refused, as are `.` and `..` (a content path walks down a DAG, never up), a NUL, and bad percent-encoding.
/// Empty segments (`a//b`) are dropped; a trailing slash is remembered, since it tells a directory's listing
/// (`/ipfs/{dir}/`) from the redirect to it.
public struct ContentPath: Hashable, Sendable {
    /// The namespace: `ipfs` (immutable content) or `ipns` (a mutable name).
    public enum Namespace: String, Hashable, Sendable {
        case ipfs, ipns
    }

    /// Longest request path accepted (bytes, encoded).
    public static let maxEncodedLength = 4096
    /// Most names below the root.
    public static let maxSegments = 64

    /// The namespace.
    public var namespace: Namespace
    /// The root segment as given (a CID for `ipfs`).
    public var root: String
    /// The decoded names below the root, in order.
    public var segments: [String]
    /// Whether the encoded path ended with `/`.
    public var hasTrailingSlash: Bool

    /// A path from its parts.
    public init(namespace: Namespace, root: String, segments: [String] = [], hasTrailingSlash: Bool = false) {
        self.namespace = namespace
        self.root = root
        self.segments = segments
        self.hasTrailingSlash = hasTrailingSlash
    }

    /// Parses an encoded request path (no query): `/{namespace}/{root}[/{segment}…][/]`.
    ///
    /// - Throws: ``GatewayError`` 400 for a path that is too long, has no root, names an unknown namespace or has
    ///   a segment that is not allowed; 404 for a path outside `/ipfs/` and `/ipns/`.
    public init(parsing encodedText: some StringProtocol) throws(GatewayError) {
        let encoded = Substring(encodedText)
        guard encoded.utf8.count <= Self.maxEncodedLength else {
            throw .badRequest("the path is longer than \(Self.maxEncodedLength) bytes")
        }
        // Split over UTF-8 bytes ('/' is ASCII, so every cut is a valid boundary; no grapheme breaking).
        var parts = encoded.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { Substring($0) }.dropFirst()
        guard encoded.first == "/", let first = parts.first else {
            throw .badRequest("the path must start with /ipfs/ or /ipns/")
        }
        guard let namespace = Namespace(rawValue: String(first)) else {
            throw .notFound("no content here: paths start with /ipfs/{cid} or /ipns/{name}")
        }
        parts = parts.dropFirst()
        guard let root = parts.first, !root.isEmpty else {
            throw .badRequest("the path /\(namespace.rawValue)/ names no \(namespace == .ipfs ? "CID" : "name")")
        }
        parts = parts.dropFirst()
        self.namespace = namespace
        self.root = try Self.decode(root)
        self.hasTrailingSlash = encoded.hasSuffix("/") && !parts.isEmpty
        self.segments = []
        for part in parts where !part.isEmpty {
            segments.append(try Self.decode(part))
            guard segments.count <= Self.maxSegments else {
                throw .badRequest("the path has more than \(Self.maxSegments) names")
            }
        }
    }

    /// The path's text with each name percent-encoded again, for `X-Ipfs-Path`, `Location` and listings.
    public var encoded: String {
        var text = "/\(namespace.rawValue)/\(Self.encode(root))"
        for segment in segments { text += "/" + Self.encode(segment) }
        if hasTrailingSlash { text += "/" }
        return text
    }

    /// One decoded segment.
    static func decode(_ part: Substring) throws(GatewayError) -> String {
        let name: String
        if part.utf8.contains(UInt8(ascii: "%")) {
            let bytes = Array(part.utf8)
            for index in bytes.indices.dropLast(2) where bytes[index] == UInt8(ascii: "%")
                && bytes[index + 1] == UInt8(ascii: "2") && (bytes[index + 2] | 0x20) == UInt8(ascii: "f")
            {
                throw .badRequest("the path segment '\(GatewayRoot.shown(part))' holds an encoded slash")
            }
            guard let decoded = part.removingPercentEncoding else {
                throw .badRequest("the path segment '\(GatewayRoot.shown(part))' is not valid percent-encoded UTF-8")
            }
            name = decoded
        } else {
            // Nothing encoded, the common case: Foundation's decoding is left out of it.
            name = String(part)
        }
        guard name != "..", name != "." else {
            throw .badRequest("the path segment '\(name)' is not allowed: content paths only go down")
        }
        guard !name.utf8.contains(0) else { throw .badRequest("a path segment holds a NUL byte") }
        return name
    }

    /// The characters a path segment keeps unencoded (RFC 3986 `pchar` without `%`).
    static let segmentCharacters: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        set.insert(charactersIn: "-._~!$&'()*+,;=:@")
        return set
    }()

    /// A name percent-encoded as one path segment.
    public static func encode(_ name: String) -> String {
        let plain = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7a)
                || "-._~!$&'()*+,;=:@".utf8.contains(byte)
        }
        return plain ? name : name.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? name
    }
}
