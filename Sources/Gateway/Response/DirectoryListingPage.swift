import Blocks

/// The HTML page for a directory without `index.html`: its path, then one row per entry with a link, the size
/// from the link's `Tsize` and the entry's CID. Every name comes from the DAG, which anyone may have written, so
/// everything shown is escaped: control, bidi and other invisible characters as ``UntrustedText`` shows them (the
/// page may be read with `curl` on a terminal, and a bidi override would reorder a name in a browser too), then
/// for HTML. Links carry the names percent-encoded.
public enum DirectoryListingPage {
    /// The page for `entries` of the directory `cid` at `path`, whose links start with `base` (the encoded
    /// URL path of the directory, ending with `/`). Links to `/ipfs/…` paths (the breadcrumbs, each entry's CID)
    /// start with `pathGateway`: empty on a path gateway, `//host:port` on a subdomain, whose own paths lie
    /// inside its root.
    public static func html(
        path: ContentPath, cid: CID, entries: [DirectoryEntry], base: String, pathGateway: String = ""
    ) -> String {
        let title = shown(displayed(path))
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}\
            td{padding:.2em 1em .2em 0}td.cid{font-family:monospace;color:#666}td.size{text-align:right}</style>
            </head>
            <body>
            <h1>Index of \(title)</h1>
            <p class="path">\(breadcrumbs(path, pathGateway: pathGateway))</p>
            <p class="cid">\(escape(cid.description))</p>
            <table>

            """
        if !path.segments.isEmpty {
            page += "<tr><td><a href=\"\(escape(base))..\">..</a></td><td></td><td></td></tr>\n"
        }
        for entry in entries {
            let href = escape(base + ContentPath.encode(entry.name))
            page += "<tr><td><a href=\"\(href)\">\(shown(entry.name))</a></td>"
            page += "<td class=\"size\">\(entry.tsize)</td>"
            let hash = "\(pathGateway)/ipfs/\(entry.cid)?filename=\(ContentPath.encode(ContentPath.encode(entry.name)))"
            page += "<td class=\"cid\"><a class=\"ipfs-hash\" translate=\"no\" href=\"\(escape(hash))\">"
            page += "\(escape(entry.cid.description))</a></td></tr>\n"
        }
        page += "</table>\n</body>\n</html>\n"
        return page
    }

    /// `/ipfs/root/a/b` with a link on each name to the path up to it.
    static func breadcrumbs(_ path: ContentPath, pathGateway: String) -> String {
        var href = "\(pathGateway)/\(path.namespace.rawValue)/\(ContentPath.encode(path.root))"
        var text = "/\(path.namespace.rawValue)/<a href=\"\(escape(href))\">\(shown(path.root))</a>"
        for segment in path.segments {
            href += "/" + ContentPath.encode(segment)
            text += "/<a href=\"\(escape(href))\">\(shown(segment))</a>"
        }
        return text
    }

    /// The path as a person reads it: `/ipfs/{root}/a/b/`.
    static func displayed(_ path: ContentPath) -> String {
        "/\(path.namespace.rawValue)/\(path.root)" + path.segments.map { "/" + $0 }.joined() + "/"
    }

    /// Text from the DAG or the request as the page shows it: ``UntrustedText/escaped(_:limit:)``, then ``escape(_:)``.
    static func shown(_ text: String) -> String { escape(UntrustedText.escaped(text)) }

    /// `text` with `& < > " '` as character references.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
