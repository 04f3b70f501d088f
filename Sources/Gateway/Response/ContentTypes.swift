/// The `Content-Type` of a file the gateway serves: from its name's extension, else sniffed from its first bytes
/// (the browsers' and Go's rules, trimmed to the types a web page and a video player meet), else
/// `application/octet-stream`. Responses also carry `X-Content-Type-Options: nosniff`, so the browser takes this
/// answer as final.
public enum ContentTypes {
    /// How many leading bytes sniffing looks at.
    public static let sniffLength = 512

    /// Types by lower-cased extension.
    public static let byExtension: [String: String] = [
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8",
        "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "mjs": "text/javascript; charset=utf-8", "json": "application/json", "xml": "text/xml; charset=utf-8",
        "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8", "csv": "text/csv; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "webp": "image/webp", "avif": "image/avif", "ico": "image/x-icon", "bmp": "image/bmp",
        "mp4": "video/mp4", "m4v": "video/mp4", "webm": "video/webm", "ogv": "video/ogg", "mov": "video/quicktime",
        "m3u8": "application/vnd.apple.mpegurl", "ts": "video/mp2t", "mpd": "application/dash+xml",
        "mp3": "audio/mpeg", "m4a": "audio/mp4", "ogg": "audio/ogg", "oga": "audio/ogg", "wav": "audio/wav",
        "flac": "audio/flac", "opus": "audio/ogg",
        "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "otf": "font/otf",
        "wasm": "application/wasm", "pdf": "application/pdf", "zip": "application/zip", "gz": "application/gzip",
        "tar": "application/x-tar", "car": "application/vnd.ipld.car",
    ]

    /// The type for a file named `name` (the last name of the content path; `nil` for a bare CID) whose first
    /// bytes are `head`.
    public static func type(name: String?, head: some Collection<UInt8>) -> String {
        if let name, let dot = name.lastIndex(of: "."), dot != name.startIndex {
            let ext = name[name.index(after: dot)...].lowercased()
            if let type = byExtension[ext] { return type }
        }
        return sniff(Array(head.prefix(sniffLength)))
    }

    /// The type the first bytes show.
    public static func sniff(_ bytes: [UInt8]) -> String {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBPVP".utf8), at: 8) { return "image/webp" }
        if starts(Array("RIFF".utf8)) && starts(Array("WAVE".utf8), at: 8) { return "audio/wav" }
        if starts(Array("ftyp".utf8), at: 4) { return "video/mp4" }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return "video/webm" }
        if starts(Array("OggS".utf8)) { return "application/ogg" }
        if starts(Array("ID3".utf8)) { return "audio/mpeg" }
        if starts(Array("%PDF-".utf8)) { return "application/pdf" }
        if starts([0x00, 0x61, 0x73, 0x6D]) { return "application/wasm" }
        if starts([0x1F, 0x8B, 0x08]) { return "application/gzip" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "application/zip" }
        if starts(Array("wOF2".utf8)) { return "font/woff2" }
        if starts(Array("wOFF".utf8)) { return "font/woff" }
        let text = bytes.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x0C })
        if let markup = markupType(Array(text)) { return markup }
        let isBinary = bytes.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0x0C && $0 != 0x1B }
        return isBinary ? "application/octet-stream" : "text/plain; charset=utf-8"
    }

    /// HTML, XML or SVG from the first tag, case-insensitive (`<!DOCTYPE html`, `<html`, `<svg`, `<?xml` …).
    static func markupType(_ text: [UInt8]) -> String? {
        guard text.first == UInt8(ascii: "<") else { return nil }
        let lowered = String(decoding: text.prefix(64), as: UTF8.self).lowercased()
        if lowered.hasPrefix("<?xml") {
            return lowered.contains("<svg") ? "image/svg+xml" : "text/xml; charset=utf-8"
        }
        if lowered.hasPrefix("<svg") { return "image/svg+xml" }
        let tags = ["<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font", "<table", "<a",
            "<style", "<title", "<b", "<body", "<br", "<p", "<!--"]
        for tag in tags where lowered.hasPrefix(tag) {
            let rest = lowered.dropFirst(tag.count)
            if tag == "<!--" || rest.first == " " || rest.first == ">" { return "text/html; charset=utf-8" }
        }
        return nil
    }
}
