import Blocks
import DHTDaemon
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Cases of the ipfs/gateway-conformance suite (`tests/trustless_gateway_raw_test.go`,
/// `trustless_gateway_car_test.go`, `path_gateway_unixfs_test.go`, `path_gateway_raw_test.go`,
/// `subdomain_gateway_ipfs_test.go`, `path_gateway_cors_test.go`), ported: the same requests on the suite's own
/// fixtures, against a live gateway over HTTP. Cases that need codecs this package does not hold (dag-cbor,
/// sha2-512) are left out; the too-long CID cases are kept, since they are refused before any block is read.
@Suite(.enabled(if: ConformanceFixtures.available, ConformanceFixtures.missing))
struct GatewayConformanceTests {
    // gateway-raw-block.car
    static let rawRoot = "bafybeie72edlprgtlwwctzljf6gkn2wnlrddqjbkxo3jomh4n7omwblxly"
    static let rawDir = "bafybeifaqksygmsbnqe76kwvxoqxtkzcwssq5jkhuo65ldtqiunr3bxlra"
    static let rawAscii = "bafkreihhpc5y2pqvl5rbe5uuyhqjouybfs3rvlmisccgzue2kkt5zq6upq"
    static let rawDirHex =
        "12330a2401551220e778bb8d3e155f62127694c1e09753012cb71aad8890846cd09a52a7dcc3d47c120961736369692e747874181f0a020801"
    // Shared leaves and the 1026-byte multiblock file.
    static let ascii = "bafkreifkam6ns4aoolg3wedr4uzrs3kvq66p4pecirz6y2vlrngla62mxm"
    static let hello = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
    static let multiblock = "bafybeigcisqd7m5nf3qmuvjdbakl5bdnh4ocrmacaqkpuh77qjvggmt2sa"
    static let chunks = [
        "bafkreie5noke3mb7hqxukzcy73nl23k6lxszxi5w3dtmuwz62wnvkpsscm",
        "bafkreih4ephajybraj6wnxsbwjwa77fukurtpl7oj7t7pfq545duhot7cq",
        "bafkreigu7buvm3cfunb35766dn7tmqyh2um62zcio63en2btvxuybgcpue",
        "bafkreicll3huefkc3qnrzeony7zcfo7cr3nbx64hnxrqzsixpceg332fhe",
        "bafkreifst3pqztuvj57lycamoi7z34b4emf7gawxs74nwrc2c7jncmpaqm",
    ]
    // subdir-with-two-single-block-files.car
    static let twoRoot = "bafybeietjm63oynimmv5yyqay33nui4y4wx6u3peezwetxgiwvfmelutzu"
    static let twoSubdir = "bafybeiggghzz6dlue3m6nb2dttnbrygxh3lrjl5764f2m4gq7dgzdt55o4"
    // subdir-with-mixed-block-files.car
    static let mixedRoot = "bafybeidh6k2vzukelqtrjsmd4p52cpmltd2ufqrdtdg6yigi73in672fwu"
    static let mixedSubdir = "bafybeicnmple4ehlz3ostv2sbojz3zhh5q7tz5r2qkfdpqfilgggeen7xm"
    // dir-with-duplicate-files.car (also path_gateway_unixfs/dir-with-files.car)
    static let duplicates = "bafybeihchr7vmgjaasntayyatmp5sv6xza57iy2h4xj7g46bpjij6yhrmy"
    // file-3k-and-3-blocks-missing-block.car: the middle chunk is absent.
    static let missingMiddle = "QmYhmPjhFjYFyaoiuNzYv8WGavpSRDwdHWe5B4M5du5Rtk"
    static let firstThird = "QmPKt7ptM2ZYSGPUc8PmPT2VBkLDK3iqpG9TBJY7PCE9rF"
    static let lastThird = "QmWXY482zQdwecnfBsj78poUUuPXvyw2JAFAEMw4tzTavV"
    // single-layer-hamt-with-multi-block-files.car
    static let hamt = "bafybeidbclfqleg2uojchspzd4bob56dqetqjsj27gy2cq3klkkgxtpn4i"
    static let hamtShard685 = "bafybeifajm5xyg46n4hjxg7clq2f7vcn7eg7bn3yevylcemr6vd7mp6gta"
    static let hamtShard1 = "bafybeiawjmzmi5c6v5h75nepfpx7jj5ns5t54girned3kilvakmhctxlxy"
    // dir_listing/fixtures.car
    static let listing = "bafybeig6ka5mlwkl4subqhaiatalkcleo4jgnr3hqwvpmsqfca27cijp3i"
    static let listingFile = "bafkreialihlqnf5uwo4byh4n3cmwlntwqzxxs2fg5vanqdi3d7tb2l5xkm"
    // gateway-cache/fixtures.car
    static let cache = "bafybeib3ffl2teiqdncv3mkz4r23b5ctrwkzrrhctdbne6iboayxuxk5ui"
    static let cache2 = "bafybeih2w7hjocxjg6g2ku25hvmd53zj7og4txpby3vsusfefw5rrg5sii"
    static let cache3 = "bafybeiawdvhmjcz65x5egzx4iukxc72hg4woks6v6fvgyupiyt3oczk5ja"
    static let cache4 = "bafybeifq2rzpqnqrsdupncmkmhs3ckxxjhuvdcbvydkgvch3ms24k5lo7q"
    static let cacheIndex = "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"
    static let cache4Hex =
        "12340a24015512205891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03120a696e6465782e68746d6c18060a020801"
    // path_gateway_unixfs/symlink.car
    static let symlinkRoot = "QmWvY6FaqFMS89YAQ9NAPjVP4WZKA1qbHbicc9HeSKQTgt"
    // dir-with-percent-encoded-filename.car
    static let percent = "bafybeig675grnxcmshiuzdaz2xalm6ef4thxxds6o6ypakpghm5kghpc34"
    // subdomain_gateway/fixtures.car
    static let subdomainFile = "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"
    static let subdomainV0 = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN"
    static let subdomainV0asV1 = "bafybeiffndsajwhk3lwjewwdxqntmjm4b5wxaaanokonsggenkbw6slwk4"
    static let subdomainDir = "bafybeiht6dtwk3les7vqm6ibpvz6qpohidvlshsfyr7l5mpysdw2vmbbhe"
    static let tooLong =
        "bafkrgqhhyivzstcz3hhswshfjgy6ertgmnqeleynhwt4dlfsthi4hn7zgh4uvlsb5xncykzapi3ocd4lzogukir6ksdy6wzrnz6ohnv4aglcs"

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    private func get(
        _ client: any TestClientProtocol, _ uri: String, _ headers: HTTPFields = [:], method: HTTPRequest.Method = .get
    ) async throws -> TestResponse {
        try await client.execute(uri: uri, method: method, headers: headers) { $0 }
    }

    // MARK: trustless_gateway_raw_test.go, path_gateway_raw_test.go

    @Test func rawBlocks() async throws {
        try await ConformanceFixtures.withGateway { client in
            let byQuery = try await get(client, "/ipfs/\(Self.rawDir)?format=raw")
            #expect(byQuery.status == .ok && Self.hex(byQuery.bytes) == Self.rawDirHex)
            let byAccept = try await get(client, "/ipfs/\(Self.rawDir)", [.accept: "application/vnd.ipld.raw"])
            #expect(byAccept.status == .ok && Self.hex(byAccept.bytes) == Self.rawDirHex)
            #expect(byAccept.headers[.contentLocation] == "/ipfs/\(Self.rawDir)?format=raw")

            let leaf = try await get(client, "/ipfs/\(Self.rawAscii)", [.accept: "application/vnd.ipld.raw"])
            #expect(leaf.status == .ok)
            #expect(leaf.headers[.contentType] == "application/vnd.ipld.raw")
            #expect(leaf.headers[.contentLength] == "31")
            #expect(leaf.headers[.contentDisposition]?.contains("attachment;") == true)
            #expect(leaf.headers[.xContentTypeOptions] == "nosniff")
            #expect(leaf.text == "hello application/vnd.ipld.raw\n")
            #expect(leaf.headers[.eTag] != nil)
            #expect(leaf.headers[HTTPField.Name("X-Ipfs-Path")!] == "/ipfs/\(Self.rawAscii)")
            #expect(leaf.headers[HTTPField.Name("X-Ipfs-Roots")!]?.contains(Self.rawAscii) == true)
            #expect(leaf.headers[.cacheControl] == "public, max-age=29030400, immutable")

            let named = try await get(
                client, "/ipfs/\(Self.rawAscii)?filename=foobar.bin", [.accept: "application/vnd.ipld.raw"])
            #expect(named.headers[.contentDisposition] == "attachment; filename=\"foobar.bin\"")

            let range = try await get(
                client, "/ipfs/\(Self.rawAscii)", [.accept: "application/vnd.ipld.raw", .range: "bytes=7-9"])
            #expect(range.status == .partialContent && range.text == "ppl")
            #expect(range.headers[.contentRange] == "bytes 7-9/31")
            // Several ranges: the whole block with 200, which the spec allows.
            let ranges = try await get(
                client, "/ipfs/\(Self.rawAscii)", [.accept: "application/vnd.ipld.raw", .range: "bytes=7-9,1-3"])
            #expect(ranges.status == .ok && ranges.bytes.count == 31)
            #expect(ranges.headers[.contentType] == "application/vnd.ipld.raw")

            // Through a path (path_gateway_raw_test.go).
            let pathed = try await get(client, "/ipfs/\(Self.rawRoot)/dir?format=raw")
            #expect(pathed.status == .ok && Self.hex(pathed.bytes) == Self.rawDirHex)
            let pathedRange = try await get(
                client, "/ipfs/\(Self.rawRoot)/dir", [.accept: "application/vnd.ipld.raw", .range: "bytes=6-16"])
            #expect(pathedRange.status == .partialContent && Self.hex(pathedRange.bytes) == "1220e778bb8d3e155f6212")
            #expect(pathedRange.headers[.contentRange] == "bytes 6-16/57")
            let pathedLeaf = try await get(client, "/ipfs/\(Self.rawRoot)/dir/ascii.txt", [.accept: "application/vnd.ipld.raw"])
            #expect(pathedLeaf.headers[HTTPField.Name("X-Ipfs-Path")!] == "/ipfs/\(Self.rawRoot)/dir/ascii.txt")
            #expect(pathedLeaf.headers[HTTPField.Name("X-Ipfs-Roots")!]?.contains(Self.rawRoot) == true)
        }
    }

    // MARK: trustless_gateway_car_test.go

    /// The suite runs each CAR case twice: with `?format=car`, and with `Accept: application/vnd.ipld.car`
    /// instead; every 200 carries the same headers.
    private func car(
        _ client: any TestClientProtocol, _ path: String, _ query: String = "",
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [[String]] {
        var results: [[String]] = []
        let withFormat = "\(path)?\(query.isEmpty ? "" : query + "&")format=car"
        let withAccept = query.isEmpty ? path : "\(path)?\(query)"
        let variants: [(String, HTTPFields)] = [(withFormat, [:]), (withAccept, [.accept: "application/vnd.ipld.car"])]
        for (uri, headers) in variants {
            let response = try await get(client, uri, headers)
            #expect(response.status == .ok, "\(uri)", sourceLocation: sourceLocation)
            #expect(response.headers[.xContentTypeOptions] == "nosniff", sourceLocation: sourceLocation)
            #expect(response.headers[.acceptRanges] == "none", sourceLocation: sourceLocation)
            #expect(response.headers[.contentType]?.contains("application/vnd.ipld.car") == true, sourceLocation: sourceLocation)
            #expect(response.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"") == true, sourceLocation: sourceLocation)
            #expect(response.headers[.contentDisposition]?.hasSuffix(".car\"") == true, sourceLocation: sourceLocation)
            #expect(response.headers[.eTag] != nil, sourceLocation: sourceLocation)
            results.append(ConformanceFixtures.cids(response.body))
        }
        #expect(results[0] == results[1], "format=car and Accept give the same blocks", sourceLocation: sourceLocation)
        return results
    }

    @Test func carPathingAndScopes() async throws {
        let shards = try ConformanceFixtures.hamtShards()
        #expect(shards.count == 237)
        try await ConformanceFixtures.withGateway { client in
            let file = [Self.multiblock] + Self.chunks
            #expect(try await car(client, "/ipfs/\(Self.twoRoot)/subdir/ascii.txt")[0] == [Self.twoRoot, Self.twoSubdir, Self.ascii])
            #expect(try await car(client, "/ipfs/\(Self.hamt)/685.txt")[0] == [Self.hamt, Self.hamtShard685] + file)
            let missing = try await get(client, "/ipfs/\(Self.twoRoot)/subdir/i-do-not-exist?format=car")
            #expect(missing.status == .notFound)

            #expect(try await car(client, "/ipfs/\(Self.twoRoot)/subdir", "dag-scope=block")[0] == [Self.twoRoot, Self.twoSubdir])
            #expect(try await car(client, "/ipfs/\(Self.twoRoot)/subdir/ascii.txt", "dag-scope=block")[0]
                == [Self.twoRoot, Self.twoSubdir, Self.ascii])
            #expect(try await car(client, "/ipfs/\(Self.hamt)/1.txt", "dag-scope=block")[0]
                == [Self.hamt, Self.hamtShard1, Self.multiblock])

            #expect(try await car(client, "/ipfs/\(Self.twoRoot)", "dag-scope=entity")[0] == [Self.twoRoot])
            #expect(try await car(client, "/ipfs/\(Self.hamt)", "dag-scope=entity")[0] == shards)
            #expect(try await car(client, "/ipfs/\(Self.mixedRoot)/subdir/ascii.txt", "dag-scope=entity")[0]
                == [Self.mixedRoot, Self.mixedSubdir, Self.ascii])
            #expect(try await car(client, "/ipfs/\(Self.mixedRoot)/subdir/multiblock.txt", "dag-scope=entity")[0]
                == [Self.mixedRoot, Self.mixedSubdir] + file)

            #expect(try await car(client, "/ipfs/\(Self.mixedRoot)/subdir", "dag-scope=all")[0]
                == [Self.mixedRoot, Self.mixedSubdir, Self.ascii, Self.hello] + file)
            #expect(try await car(client, "/ipfs/\(Self.mixedRoot)/subdir/multiblock.txt", "dag-scope=all")[0]
                == [Self.mixedRoot, Self.mixedSubdir] + file)
        }
    }

    @Test func carEntityBytes() async throws {
        let shards = try ConformanceFixtures.hamtShards()
        try await ConformanceFixtures.withGateway { client in
            let c = Self.chunks, mb = Self.multiblock
            // The query as Go's url.Values.Encode() sends it: ':' and '*' percent-encoded.
            func entity(_ range: String) -> String {
                "dag-scope=entity&entity-bytes=" + range.replacingOccurrences(of: ":", with: "%3A")
                    .replacingOccurrences(of: "*", with: "%2A")
            }
            // (path, entity-bytes, blocks expected, whether their order is checked). The missing middle block of
            // the first file is never asked for.
            let cases: [(String, String, [String], Bool)] = [
                ("/ipfs/\(Self.missingMiddle)", "0:1000", [Self.missingMiddle, Self.firstThird], false),
                ("/ipfs/\(Self.missingMiddle)", "2200:*", [Self.missingMiddle, Self.lastThird], false),
                ("/ipfs/\(Self.mixedRoot)/subdir/multiblock.txt", "0:*", [Self.mixedRoot, Self.mixedSubdir, mb] + c, true),
                ("/ipfs/\(Self.hamt)", "0:*", shards, true),
                ("/ipfs/\(mb)", "512:*", [mb, c[2], c[3], c[4]], true),
                ("/ipfs/\(mb)", "512:1023", [mb, c[2], c[3]], true),
                ("/ipfs/\(mb)", "512:-256", [mb, c[2], c[3]], true),
                ("/ipfs/\(mb)", "-5:*", [mb, c[3], c[4]], true),
                ("/ipfs/\(mb)", "-9999:*", [mb] + c, true),
                ("/ipfs/\(mb)", "-9999:-3", [mb, c[0], c[1], c[2], c[3]], true),
                ("/ipfs/\(mb)", "0:0", [mb, c[0]], true),
            ]
            for (path, range, expected, ordered) in cases {
                let blocks = try await car(client, path, entity(range))[0]
                if ordered {
                    #expect(blocks == expected, "\(path) entity-bytes=\(range)")
                } else {
                    #expect(Set(blocks) == Set(expected), "\(path) entity-bytes=\(range)")
                }
            }
        }
    }

    @Test func carOrderDuplicatesAndPrecedence() async throws {
        try await ConformanceFixtures.withGateway { client in
            let file = [Self.multiblock] + Self.chunks
            let withDuplicates = try await get(
                client, "/ipfs/\(Self.duplicates)", [.accept: "application/vnd.ipld.car; version=1; order=dfs; dups=y"])
            #expect(withDuplicates.headers[.contentType] == "application/vnd.ipld.car; version=1; order=dfs; dups=y")
            #expect(ConformanceFixtures.cids(withDuplicates.body) == [Self.duplicates, Self.ascii, Self.ascii, Self.hello] + file)
            let once = try await get(
                client, "/ipfs/\(Self.duplicates)", [.accept: "application/vnd.ipld.car; version=1; order=dfs; dups=n"])
            #expect(once.headers[.contentType]?.contains("dups=n") == true)
            #expect(ConformanceFixtures.cids(once.body) == [Self.duplicates, Self.ascii, Self.hello] + file)
            let unknownOrder = try await get(
                client, "/ipfs/\(Self.duplicates)", [.accept: "application/vnd.ipld.car; version=1; order=unk"])
            #expect(unknownOrder.headers[.contentType]?.contains("order=") == true)
            #expect(Set(ConformanceFixtures.cids(unknownOrder.body)) == Set([Self.duplicates, Self.ascii, Self.hello] + file))

            // An identity CID: a CAR whose header names it, with no block.
            let identity = try await get(
                client, "/ipfs/bafkqaf3imvwgy3zaneqgc3janfxgy2lomvscay3jmqfa", [.accept: "application/vnd.ipld.car; dups=y"])
            #expect(identity.status == .ok && identity.headers[.contentType]?.contains("dups=y") == true)
            #expect(identity.bytes.count > 0 && ConformanceFixtures.cids(identity.body).isEmpty)

            let formatAndAccept = try await get(
                client, "/ipfs/\(Self.duplicates)?format=car",
                [.accept: "application/vnd.ipld.car; version=1; order=dfs; dups=y"])
            #expect(ConformanceFixtures.cids(formatAndAccept.body) == [Self.duplicates, Self.ascii, Self.ascii, Self.hello] + file)
            let orderQuery = try await get(
                client, "/ipfs/\(Self.duplicates)?format=car&car-order=dfs", [.accept: "application/vnd.ipld.car; order=unk"])
            #expect(orderQuery.headers[.contentType]?.contains("order=dfs") == true)
            let dupsQuery = try await get(
                client, "/ipfs/\(Self.duplicates)?format=car&car-dups=y", [.accept: "application/vnd.ipld.car; dups=n"])
            #expect(dupsQuery.headers[.contentType]?.contains("dups=y") == true)

            let carOverRaw = try await get(client, "/ipfs/\(Self.rawDir)?format=car", [.accept: "application/vnd.ipld.raw"])
            #expect(carOverRaw.headers[.contentType]?.contains("application/vnd.ipld.car") == true)
            let rawOverCar = try await get(client, "/ipfs/\(Self.rawDir)?format=raw", [.accept: "application/vnd.ipld.car"])
            #expect(rawOverCar.headers[.contentType] == "application/vnd.ipld.raw")
        }
    }

    // MARK: path_gateway_unixfs_test.go

    @Test func directoryListings() async throws {
        try await ConformanceFixtures.withGateway { client in
            let L = Self.listing
            let root = try await get(client, "/ipfs/\(L)/")
            #expect(root.text.contains("Index of") && !root.text.contains("<a href=\"/ipfs/\(L)/\">..</a>"))
            let redirect = try await get(client, "/ipfs/\(L)/%C4%85/%C4%99")
            #expect(redirect.status == .movedPermanently)
            #expect(redirect.headers[.location] == "/ipfs/\(L)/%C4%85/%C4%99/")
            let page = try await get(client, "/ipfs/\(L)/%C4%85/%C4%99/")
            #expect(page.headers[.eTag]?.hasPrefix("\"DirIndex-") == true)
            for fragment in [
                "Index of",
                "/ipfs/<a href=\"/ipfs/\(L)\">\(L)</a>/<a href=\"/ipfs/\(L)/%C4%85\">ą</a>/<a href=\"/ipfs/\(L)/%C4%85/%C4%99\">ę</a>",
                "<a href=\"/ipfs/\(L)/%C4%85/%C4%99/..\">..</a>",
                "<a href=\"/ipfs/\(L)/%C4%85/%C4%99/file-%C5%BA%C5%82.txt\">file-źł.txt</a>",
                "<a class=\"ipfs-hash\" translate=\"no\" href=\"/ipfs/\(Self.listingFile)?filename=file-%25C5%25BA%25C5%2582.txt\">",
            ] {
                #expect(page.text.contains(fragment), "\(fragment)")
            }
            #expect(try await get(client, "/ipfs/\(L)/i-do-not-exist").status == .notFound)
        }
    }

    @Test func cachingHeadersAndConditionalRequests() async throws {
        try await ConformanceFixtures.withGateway { client in
            let (c0, c2, c3, c4, index) = (Self.cache, Self.cache2, Self.cache3, Self.cache4, Self.cacheIndex)
            let listing = try await get(client, "/ipfs/\(c0)/root2/root3/")
            #expect(listing.status == .ok)
            #expect(listing.headers[HTTPField.Name("X-Ipfs-Path")!] == "/ipfs/\(c0)/root2/root3/")
            #expect(listing.headers[HTTPField.Name("X-Ipfs-Roots")!] == "\(c0),\(c2),\(c3)")
            #expect(listing.headers[.eTag]?.contains("_CID-\(c3)") == true && listing.headers[.eTag]?.contains("DirIndex-") == true)
            #expect(listing.headers[.cacheControl] == nil
                || listing.headers[.cacheControl] == "public, max-age=604800, stale-while-revalidate=2678400")

            let withIndex = try await get(client, "/ipfs/\(c0)/root2/root3/root4/")
            #expect(withIndex.status == .ok && withIndex.text == "hello\n")
            #expect(withIndex.headers[.cacheControl] == "public, max-age=29030400, immutable")
            #expect(withIndex.headers[HTTPField.Name("X-Ipfs-Roots")!] == "\(c0),\(c2),\(c3),\(c4)")
            #expect(withIndex.headers[.eTag] == "\"\(c4)\"")

            let file = try await get(client, "/ipfs/\(c0)/root2/root3/root4/index.html")
            #expect(file.headers[HTTPField.Name("X-Ipfs-Roots")!] == "\(c0),\(c2),\(c3),\(c4),\(index)")
            #expect(file.headers[.eTag] == "\"\(index)\"")
            #expect(file.headers[.contentType] == "text/html; charset=utf-8")

            let raw = try await get(client, "/ipfs/\(c0)/root2/root3/root4/?format=raw")
            #expect(raw.status == .ok && Self.hex(raw.bytes) == Self.cache4Hex)
            let cached: HTTPFields = [.cacheControl: "only-if-cached"]
            #expect(try await get(client, "/ipfs/\(c0)/root2/root3/root4/?format=raw", cached, method: .head).status == .ok)
            #expect(try await get(client, "/ipfs/\(c0)/root2/root3/root4/?format=raw", cached).status == .ok)
            let absent = "QmYzfKSE55XCjD1MW128RfciAf2DViABhEiXfgVFMabSjN"
            #expect(try await get(client, "/ipfs/\(absent)", cached, method: .head).status == .preconditionFailed)
            #expect(try await get(client, "/ipfs/\(absent)", cached).status == .preconditionFailed)

            for tag in ["\"\(index)\"", "\"fakeEtag1\", \"fakeEtag2\", \"\(index)\"", "W/\"\(index)\"", "*"] {
                let response = try await get(client, "/ipfs/\(c0)/root2/root3/root4/index.html", [.ifNoneMatch: tag])
                #expect(response.status == .notModified, "If-None-Match: \(tag)")
            }
            #expect(try await get(client, "/ipfs/\(c0)/root2/root3/root4/", [.ifNoneMatch: "\"\(c4)\""]).status == .notModified)
            let tag = try #require(listing.headers[.eTag]).trimmingCharacters(in: ["\""])
            #expect(try await get(client, "/ipfs/\(c0)/root2/root3/", [.ifNoneMatch: "\"\(tag)\""]).status == .notModified)
            #expect(try await get(client, "/ipfs/\(c0)/root2/root3/", [.ifNoneMatch: "W/\"\(tag)\""]).status == .notModified)
        }
    }

    @Test func symlinksRangesAndEncodedNames() async throws {
        try await ConformanceFixtures.withGateway { client in
            let listing = try await get(client, "/ipfs/\(Self.symlinkRoot)/")
            #expect(listing.text.contains(">foo<") && listing.text.contains(">bar<"))
            let raw = try await get(client, "/ipfs/\(Self.symlinkRoot)?format=raw")
            #expect(raw.status == .ok && raw.bytes.count == 94)
            let link = try await get(client, "/ipfs/\(Self.symlinkRoot)/bar")
            #expect(link.status == .ok && link.text == "foo")

            let path = "/ipfs/\(Self.duplicates)/ascii.txt"
            let whole = try await get(client, path)
            #expect(whole.headers[.acceptRanges] == "bytes" && whole.text == "hello application/vnd.ipld.car\n")
            let single = try await get(client, path, [.range: "bytes=6-16"])
            #expect(single.status == .partialContent && single.text == "application")
            #expect(single.headers[.contentRange] == "bytes 6-16/31")
            let suffix = try await get(client, path, [.range: "bytes=-3"])
            #expect(suffix.status == .partialContent && suffix.text == "ar\n")
            #expect(suffix.headers[.contentRange] == "bytes 28-30/31")
            let several = try await get(client, path, [.range: "bytes=6-16,0-4"])
            #expect(several.status == .ok && several.bytes.count == 31)
            let outside = try await get(client, path, [.range: "bytes=31-40"])
            #expect(outside.status == .rangeNotSatisfiable && outside.headers[.contentRange] == "bytes */31")

            // Only the blocks a range needs are read: the missing middle third is never touched.
            let before = try await get(client, "/ipfs/\(Self.missingMiddle)", [.range: "bytes=997-1000"])
            #expect(before.status == .partialContent && before.headers[.contentRange] == "bytes 997-1000/3072")
            #expect(before.bytes.count == 4)
            let after = try await get(client, "/ipfs/\(Self.missingMiddle)", [.range: "bytes=2200-2201"])
            #expect(after.status == .partialContent && after.headers[.contentRange] == "bytes 2200-2201/3072")

            let encoded = try await get(
                client, "/ipfs/\(Self.percent)/Portugal%252C+Espa%C3%B1a=Peninsula%20Ib%C3%A9rica.txt")
            #expect(encoded.text == "hello from a percent encoded filename\n")
        }
    }

    // MARK: subdomain_gateway_ipfs_test.go (example.com as the gateway's host, through X-Forwarded-Host)

    private func subdomain(_ client: any TestClientProtocol, host: String, _ uri: String, proto: String? = nil)
        async throws -> TestResponse
    {
        var headers: HTTPFields = [HTTPField.Name("X-Forwarded-Host")!: host]
        if let proto { headers[HTTPField.Name("X-Forwarded-Proto")!] = proto }
        return try await get(client, uri, headers)
    }

    @Test func subdomainGateway() async throws {
        try await ConformanceFixtures.withGateway { client in
            let L = Self.listing
            let root = try await subdomain(client, host: "\(L).ipfs.example.com", "/")
            #expect(root.text.contains("Index of") && !root.text.contains("<a href=\"/\">..</a>"))
            let redirect = try await subdomain(client, host: "\(L).ipfs.example.com", "/%C4%85/%C4%99")
            #expect(redirect.status == .movedPermanently && redirect.headers[.location] == "/%C4%85/%C4%99/")
            let page = try await subdomain(client, host: "\(L).ipfs.example.com", "/%C4%85/%C4%99/")
            for fragment in [
                "<a href=\"/%C4%85/%C4%99/..\">..</a>",
                "/ipfs/<a href=\"//example.com/ipfs/\(L)\">\(L)</a>/<a href=\"//example.com/ipfs/\(L)/%C4%85\">ą</a>",
                "<a href=\"/%C4%85/%C4%99/file-%C5%BA%C5%82.txt\">file-źł.txt</a>",
                "<a class=\"ipfs-hash\" translate=\"no\" href=\"//example.com/ipfs/\(Self.listingFile)?filename=file-%25C5%25BA%25C5%2582.txt\">",
            ] {
                #expect(page.text.contains(fragment), "\(fragment)")
            }

            let toSubdomain = try await subdomain(client, host: "example.com", "/ipfs/\(Self.subdomainFile)/")
            #expect(toSubdomain.status == .movedPermanently)
            #expect(toSubdomain.headers[.location] == "http://\(Self.subdomainFile).ipfs.example.com/")
            let encoded = try await subdomain(
                client, host: "example.com", "/ipfs/\(Self.percent)/Portugal%252C+Espa%C3%B1a=Peninsula%20Ib%C3%A9rica.txt")
            #expect(encoded.headers[.location]
                == "http://\(Self.percent).ipfs.example.com/Portugal%252C+Espa%C3%B1a=Peninsula%20Ib%C3%A9rica.txt")
            let fromV0 = try await subdomain(client, host: "example.com", "/ipfs/\(Self.subdomainV0)/")
            #expect(fromV0.headers[.location]?.hasPrefix("http://\(Self.subdomainV0asV1).ipfs.example.com/") == true)
            let https = try await subdomain(client, host: "example.com", "/ipfs/\(Self.subdomainFile)", proto: "https")
            #expect(https.headers[.location] == "https://\(Self.subdomainFile).ipfs.example.com/")

            let file = try await subdomain(client, host: "\(Self.subdomainFile).ipfs.example.com", "/")
            #expect(file.status == .ok && file.text.contains("hello"))
            #expect(try await subdomain(client, host: "\(Self.subdomainFile).ipfs.example.com", "/ipfs/\(Self.subdomainFile)/")
                .status == .notFound)
            let D = Self.subdomainDir
            #expect(try await subdomain(client, host: "\(D).ipfs.example.com", "/ipfs/file.txt").text.contains("I am a txt file"))
            let dirRoot = try await subdomain(client, host: "\(D).ipfs.example.com", "/")
            #expect(dirRoot.text.contains("<a href=\"/hello\">hello</a>") && dirRoot.text.contains("<a href=\"/ipfs\">ipfs</a>"))
            let deep = try await subdomain(client, host: "\(D).ipfs.example.com", "/ipfs/ipns/")
            #expect(deep.text.contains("<a href=\"/ipfs/ipns/..\">..</a>") && deep.text.contains("<a href=\"/ipfs/ipns/bar\">bar</a>"))
            #expect(deep.text.contains(
                "/ipfs/<a href=\"//example.com/ipfs/\(D)\">\(D)</a>/<a href=\"//example.com/ipfs/\(D)/ipfs\">ipfs</a>/<a href=\"//example.com/ipfs/\(D)/ipfs/ipns\">ipns</a>"))
            #expect(try await subdomain(client, host: "\(D).ipfs.example.com", "/ipfs/ipns/bar").text.contains("text-file-content"))

            #expect(try await subdomain(client, host: "example.com", "/ipfs/QmInvalidCID").text
                .contains("invalid path \"/ipfs/QmInvalidCID\""))
            let uri = try await subdomain(
                client, host: "example.com", "/ipfs/?uri=ipfs%3A%2F%2FQmXoypizjW3WknFiJnKLwHCnL72vedxjQkDDP1mXWo6uco%2Fwiki%2FDiego_Maradona.html")
            #expect(uri.status == .movedPermanently)
            #expect(uri.headers[.location] == "/ipfs/QmXoypizjW3WknFiJnKLwHCnL72vedxjQkDDP1mXWo6uco/wiki/Diego_Maradona.html")
            for response in [
                try await subdomain(client, host: "example.com", "/ipfs/\(Self.tooLong)/"),
                try await subdomain(client, host: "\(Self.tooLong).ipfs.example.com", "/"),
            ] {
                #expect(response.status == .badRequest)
                #expect(response.text.contains("CID incompatible with DNS label length limit of 63"))
            }
            // Another host is a path gateway.
            #expect(try await subdomain(client, host: "fake.domain.com", "/ipfs/\(Self.subdomainFile)").status == .ok)
        }
    }

    // MARK: CORS, probes, errors

    @Test func corsProbesAndRefusals() async throws {
        try await ConformanceFixtures.withGateway { client in
            for method in [HTTPRequest.Method.get, .options] {
                let response = try await get(client, "/ipfs/bafkqabtimvwgy3yk/", method: method)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.accessControlAllowMethods]?.contains("OPTIONS") == true)
                #expect(response.headers[.accessControlAllowHeaders]?.contains("X-Requested-With") == true)
                #expect(response.headers[.accessControlExposeHeaders]?.contains("X-Stream-Output") == true)
            }
            #expect(try await get(client, "/ipfs/bafkqabtimvwgy3yk").text == "hello\n")
            let probe = try await get(client, "/ipfs/bafkqaaa", [.accept: "application/vnd.ipld.raw"])
            #expect(probe.status == .ok && probe.bytes.isEmpty)
            let probeCAR = try await get(client, "/ipfs/bafkqaaa?format=car")
            #expect(probeCAR.status == .ok && ConformanceFixtures.cids(probeCAR.body).isEmpty && !probeCAR.bytes.isEmpty)
            #expect(try await get(client, "/ipfs/bafkqaaa", method: .head).status == .ok)

            #expect(try await get(client, "/ipfs/\(Self.duplicates)/a%2Fb").status == .badRequest)
            #expect(try await get(client, "/ipfs/\(Self.duplicates)/%2E%2E/x").status == .badRequest)
            #expect(try await get(client, "/ipfs/\(Self.duplicates)?format=car&dag-scope=most").status == .badRequest)
            #expect(try await get(client, "/ipfs/\(Self.duplicates)?format=car&entity-bytes=a:b").status == .badRequest)
            #expect(try await get(client, "/ipfs/\(Self.duplicates)?format=tar").status == .notImplemented)
            #expect(try await get(client, "/ipfs/\(Self.duplicates)", method: .post).status == .methodNotAllowed)
            #expect(try await get(client, "/v1/pins").status == .notFound)
            let unavailable = try await get(client, "/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy")
            #expect(unavailable.status == .notFound)
        }
    }
}
