import Blocks
import Gateway
import HTTPTypes
import Testing

/// The pure half of the gateway: requests parsed and refused before any block is read.
@Suite struct GatewayRequestTests {
    static let dir = "bafybeihchr7vmgjaasntayyatmp5sv6xza57iy2h4xj7g46bpjij6yhrmy"

    private func parse(_ target: String, _ headers: HTTPFields = [:], method: HTTPRequest.Method = .get) throws
        -> GatewayRequest
    {
        try GatewayRequest(method: method, target: target, headers: headers)
    }

    private func status(_ target: String, _ headers: HTTPFields = [:], method: HTTPRequest.Method = .get)
        -> HTTPResponse.Status?
    {
        do {
            _ = try parse(target, headers, method: method)
            return nil
        } catch {
            return (error as? GatewayError)?.status
        }
    }

    @Test func contentPathsAreSplitAndDecodedOneSegmentAtATime() throws {
        let request = try parse("/ipfs/\(Self.dir)/%C4%85//b%20c/")
        #expect(request.path.segments == ["ą", "b c"])
        #expect(request.path.hasTrailingSlash)
        #expect(request.path.encoded == "/ipfs/\(Self.dir)/%C4%85/b%20c/")
        #expect(request.format == .unixfs && !request.isHead)
        #expect(try parse("/ipfs/\(Self.dir)").path.hasTrailingSlash == false)
        #expect(try parse("/ipfs/\(Self.dir)/").path.hasTrailingSlash)
    }

    @Test func pathsThatCouldEscapeOrConfuseAreRefused() {
        for target in [
            "/ipfs/\(Self.dir)/a%2Fb", "/ipfs/\(Self.dir)/..", "/ipfs/\(Self.dir)/%2e%2E/etc", "/ipfs/\(Self.dir)/./a",
            "/ipfs/\(Self.dir)/%00", "/ipfs/\(Self.dir)/%zz", "/ipfs/", "/ipfs/not-a-cid", "ipfs/\(Self.dir)",
            "/ipfs/\(Self.dir)?format=zip", "/ipfs/\(Self.dir)?format=car&dag-scope=every",
            "/ipfs/\(Self.dir)?format=car&entity-bytes=5", "/ipfs/\(Self.dir)?format=car&entity-bytes=9:3",
            "/ipfs/\(Self.dir)?format=car&car-dups=maybe", "/ipfs/\(Self.dir)?format=car&car-version=2",
            "/ipfs/\(Self.dir)/" + String(repeating: "a/", count: 70),
            "/ipfs/\(Self.dir)/" + String(repeating: "x", count: 5000),
        ] {
            #expect(status(target) == .badRequest, "\(target)")
        }
        #expect(status("/", [:]) == .notFound)
        #expect(status("/v1/pins") == .notFound)
        #expect(status("/ipfs/\(Self.dir)", method: .post) == .methodNotAllowed)
        #expect(status("/ipns/example.com") == .notImplemented)
        #expect(status("/ipfs/\(Self.dir)?format=tar") == .notImplemented)
        #expect(status("/ipfs/\(Self.dir)?format=ipns-record") == .badRequest)
        #expect(status("/ipfs/\(Self.dir)", [.accept: "application/vnd.ipfs.ipns-record"]) == .badRequest)
        #expect(status("/ipfs/\(Self.dir)?format=dag-json") == .notAcceptable)
        #expect(status("/ipfs/\(Self.dir)", [.range: "bytes=9-3"]) == .badRequest)
    }

    @Test func ipnsRecordFromTheQueryOrAccept() throws {
        #expect(try GatewayRequest.asksForIPNSRecord(query: "format=ipns-record", accept: nil))
        #expect(try !GatewayRequest.asksForIPNSRecord(query: "format=raw", accept: "application/vnd.ipfs.ipns-record"))
        #expect(try GatewayRequest.asksForIPNSRecord(query: "", accept: "text/html, application/vnd.ipfs.ipns-record"))
        #expect(try !GatewayRequest.asksForIPNSRecord(query: "", accept: "application/vnd.ipld.raw, application/vnd.ipfs.ipns-record"))
        #expect(try !GatewayRequest.asksForIPNSRecord(query: "", accept: "application/vnd.ipfs.ipns-record;q=0"))
        #expect(try !GatewayRequest.asksForIPNSRecord(query: "", accept: nil))
    }

    @Test func formatComesFromTheQueryBeforeAccept() throws {
        #expect(try parse("/ipfs/\(Self.dir)?format=raw", [.accept: "application/vnd.ipld.car"]).format == .raw)
        #expect(try parse("/ipfs/\(Self.dir)", [.accept: "text/html, application/vnd.ipld.raw"]).format == .raw)
        #expect(try parse("/ipfs/\(Self.dir)", [.accept: "application/vnd.ipld.raw;q=0"]).format == .unixfs)
        let car = try parse(
            "/ipfs/\(Self.dir)?format=car&car-dups=y", [.accept: "application/vnd.ipld.car; order=unk; dups=n"])
        #expect(car.format == .car(CAROptions(scope: .all, duplicates: true)))
        #expect(car.formatFromQuery)
        let entity = try parse("/ipfs/\(Self.dir)?format=car&entity-bytes=0%3A%2A")
        #expect(entity.format == .car(CAROptions(scope: .entity, entityBytes: try .init(parsing: "0:*"))))
        let headers: HTTPFields = [.cacheControl: "no-cache, only-if-cached", .ifNoneMatch: "\"a\", W/\"b\""]
        let conditional = try parse("/ipfs/\(Self.dir)", headers)
        #expect(conditional.onlyIfCached && conditional.ifNoneMatch == ["\"a\"", "W/\"b\""])
    }

    @Test func byteRangesAndEntityBytesSelectTheRightBytes() throws {
        #expect(try ByteRangeRequest(header: "bytes=6-16")?.resolved(size: 31) == 6..<17)
        #expect(try ByteRangeRequest(header: "bytes=-3")?.resolved(size: 31) == 28..<31)
        #expect(try ByteRangeRequest(header: "bytes=20-")?.resolved(size: 31) == 20..<31)
        #expect(try ByteRangeRequest(header: "bytes=0-1000")?.resolved(size: 31) == 0..<31)
        #expect(try ByteRangeRequest(header: "bytes=31-")?.resolved(size: 31) == nil)
        #expect(try ByteRangeRequest(header: "bytes=-0")?.resolved(size: 31) == nil)
        #expect(try ByteRangeRequest(header: "bytes=1-2,4-5") == nil)
        #expect(try ByteRangeRequest(header: "items=1-2") == nil)
        let size: UInt64 = 1026
        for (text, range) in [
            ("0:*", 0..<1026), ("512:1023", 512..<1024), ("512:-256", 512..<771), ("-5:*", 1021..<1026),
            ("-9999:*", 0..<1026), ("-9999:-3", 0..<1024), ("0:0", 0..<1), ("499:-1000", nil),
            ("2000:*", nil),
        ] as [(String, Range<UInt64>?)] {
            #expect(try CAROptions.EntityBytes(parsing: text).resolved(size: size) == range, "\(text)")
        }
    }

    @Test func subdomainHostsAndRedirects() throws {
        #expect(GatewayHost(header: "\(Self.dir).ipfs.localhost:8080")
            == .subdomain(namespace: .ipfs, root: Self.dir, parent: "localhost:8080"))
        #expect(GatewayHost(header: "localhost:8080") == .plain(name: "localhost", port: "8080"))
        #expect(GatewayHost(header: "localhost:8080").redirectsToSubdomain())
        #expect(!GatewayHost(header: "127.0.0.1:8080").redirectsToSubdomain())
        #expect(GatewayHost(header: "\(Self.dir).ipfs.example.net") == .plain(name: "\(Self.dir).ipfs.example.net", port: nil))
        let request = try parse("/ipfs/QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN/a%20b?x=1")
        let url = try GatewayHost.subdomainURL(for: request.path, root: request.root, parent: "localhost:8080", query: "x=1")
        #expect(url == "http://bafybeiffndsajwhk3lwjewwdxqntmjm4b5wxaaanokonsggenkbw6slwk4.ipfs.localhost:8080/a%20b?x=1")
        let inSubdomain = try GatewayRequest(
            method: .get, target: "/sub/index.html", headers: [:], subdomainRoot: (.ipfs, Self.dir))
        #expect(inSubdomain.path.segments == ["sub", "index.html"] && inSubdomain.isSubdomain)
    }

    @Test func identityCIDsCarryTheirBlock() throws {
        #expect(try GatewayRoot(parsing: "bafkqaaa") == .inline(codec: .raw, bytes: [], text: "bafkqaaa"))
        #expect(try GatewayRoot(parsing: "bafkqabtimvwgy3yk") == .inline(codec: .raw, bytes: Array("hello\n".utf8), text: "bafkqabtimvwgy3yk"))
        #expect(throws: GatewayError.self) { try GatewayRoot(parsing: "bafkqabtimvwgy3y") }
    }

    @Test func listingsEscapeNamesFromTheDAG() throws {
        let cid = try CID(parsing: Self.dir)
        let entry = DirectoryEntry(name: "<img src=x onerror=alert(1)>\"'&", cid: cid, tsize: 3)
        let path = ContentPath(namespace: .ipfs, root: Self.dir, segments: [], hasTrailingSlash: true)
        let page = DirectoryListingPage.html(path: path, cid: cid, entries: [entry], base: "/ipfs/\(Self.dir)/")
        #expect(!page.contains("<img"))
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"))
    }

    @Test func listingsShowControlAndBidiCharactersAsEscapes() throws {
        let cid = try CID(parsing: Self.dir)
        let names = ["\u{1B}]0;pwned\u{07}", "\u{1B}[2J", "a\rb", "invoice\u{202E}fdp.exe", "\u{9B}31m", "café 日本"]
        let entries = names.map { DirectoryEntry(name: $0, cid: cid, tsize: 1) }
        let path = ContentPath(namespace: .ipfs, root: Self.dir, segments: ["\u{1B}[1m"], hasTrailingSlash: true)
        let page = DirectoryListingPage.html(path: path, cid: cid, entries: entries, base: "/ipfs/\(Self.dir)/x/")
        #expect(!page.unicodeScalars.contains { UntrustedText.acts($0) && $0 != "\n" })
        #expect(page.contains(#">\u{1B}]0;pwned\u{07}</a>"#))
        #expect(page.contains(#"invoice\u{202E}fdp.exe"#))
        #expect(page.contains(">café 日本</a>"))
        // The link still names the entry itself, percent-encoded.
        #expect(page.contains("href=\"/ipfs/\(Self.dir)/x/%1B%5D0;pwned%07\""))
    }

    @Test func errorsQuoteRequestTextEscaped() {
        #expect(GatewayRoot.shown("\u{1B}[2J") == #"\u{1B}[2J"#)
        #expect(GatewayRoot.shown(String(repeating: "b", count: 100)).hasSuffix("…(+20 bytes)"))
    }

    @Test func contentTypesFromNamesThenBytes() {
        #expect(ContentTypes.type(name: "a.JPG", head: []) == "image/jpeg")
        #expect(ContentTypes.type(name: "clip.mp4", head: []) == "video/mp4")
        #expect(ContentTypes.type(name: nil, head: Array("<!DOCTYPE html><p>".utf8)) == "text/html; charset=utf-8")
        #expect(ContentTypes.type(name: nil, head: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == "image/png")
        #expect(ContentTypes.type(name: nil, head: Array("  <svg xmlns=".utf8)) == "image/svg+xml")
        #expect(ContentTypes.type(name: "notes", head: Array("plain words\n".utf8)) == "text/plain; charset=utf-8")
        #expect(ContentTypes.type(name: nil, head: [0, 1, 2, 3]) == "application/octet-stream")
    }
}
