import Blocks

/// What the `Host` header says about a request: the subdomain gateway form `{cid}.ipfs.{parent}`, where every
/// root gets its own browser origin (cookies and storage apart), or a plain host.
///
/// Only hosts under a known parent (`localhost` by default, which browsers resolve to loopback by themselves) are
/// read as subdomain requests: anything else is a path gateway, as `127.0.0.1` is.
public enum GatewayHost: Hashable, Sendable {
    /// `{root}.{namespace}.{parent}[:port]`.
    case subdomain(namespace: ContentPath.Namespace, root: String, parent: String)
    /// Any other host; `name` is lower-cased and without the port.
    case plain(name: String, port: String?)

    /// Parses a `Host` value against the parents that take subdomains.
    public init(header: String?, subdomainParents: [String] = ["localhost"]) {
        guard let header else {
            self = .plain(name: "", port: nil)
            return
        }
        let lowered = header.lowercased()
        var name = Substring(lowered), port: String?
        if !lowered.hasPrefix("["), let colon = lowered.lastIndex(of: ":") {
            name = lowered[..<colon]
            port = String(lowered[lowered.index(after: colon)...])
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count >= 3, let namespace = ContentPath.Namespace(rawValue: String(labels[1])),
            subdomainParents.contains(labels[2...].joined(separator: "."))
        {
            self = .subdomain(
                namespace: namespace,
                root: String(labels[0]),
                parent: labels[2...].joined(separator: ".") + (port.map { ":\($0)" } ?? "")
            )
            return
        }
        self = .plain(name: String(name), port: port)
    }

    /// Whether a path request to this host moves to the subdomain form (`localhost`, as kubo does; `127.0.0.1`
    /// stays a path gateway).
    public func redirectsToSubdomain(subdomainParents: [String] = ["localhost"]) -> Bool {
        if case .plain(let name, _) = self { return subdomainParents.contains(name) }
        return false
    }

    /// The subdomain URL for `path` on `parent` (host and port): `http://{cidv1-base32}.ipfs.{parent}{rest}`.
    ///
    /// - Throws: ``GatewayError`` 400 when the CID, in base32, is longer than a DNS label (63 characters).
    public static func subdomainURL(
        for path: ContentPath, root: GatewayRoot, parent: String, query: Substring, scheme: String = "http"
    ) throws(GatewayError) -> String
    {
        let label = Self.label(root)
        guard label.count <= 63 else {
            throw .badRequest(Self.labelTooLong(root.description))
        }
        var inner = path.segments.map(ContentPath.encode).joined(separator: "/")
        if path.hasTrailingSlash, !inner.isEmpty { inner += "/" }
        var url = "\(scheme)://\(label).\(path.namespace.rawValue).\(parent)/\(inner)"
        if !query.isEmpty { url += "?\(query)" }
        return url
    }

    /// The error for a CID that cannot be a subdomain.
    public static func labelTooLong(_ text: String) -> String {
        "CID incompatible with DNS label length limit of 63: \(GatewayRoot.shown(text)) (use the path form on 127.0.0.1)"
    }

    /// The DNS-safe, case-insensitive form of a root: CIDv1 in base32 (a CIDv0 becomes its CIDv1).
    public static func label(_ root: GatewayRoot) -> String {
        switch root {
        case .cid(let cid): cid.v1.description
        case .inline(_, _, let text): text.lowercased()
        }
    }
}
