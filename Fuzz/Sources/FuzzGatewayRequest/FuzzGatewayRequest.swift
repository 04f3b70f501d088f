import FuzzMain
import Gateway
import HTTPTypes
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: the gateway's request parsing (path, query, headers, host) must refuse or accept any
/// request, never trap.
///
/// Input: line 1 the request target, line 2 the `Host`, then `Name: value` header lines. Checks: an accepted path
/// prints to text that parses back to the same names; a byte range resolves inside the file; entity-bytes too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let target = lines.first.map(String.init) ?? ""
    let host = lines.count > 1 ? String(lines[1]) : nil
    var headers = HTTPFields()
    for line in lines.dropFirst(2) {
        guard let colon = line.firstIndex(of: ":"), let name = HTTPField.Name(String(line[..<colon])) else { continue }
        headers.append(HTTPField(name: name, value: String(line[line.index(after: colon)...])))
    }
    let method: HTTPRequest.Method = size % 3 == 0 ? .head : size % 3 == 1 ? .get : .post

    var subdomainRoot: (ContentPath.Namespace, String)?
    if case .subdomain(let namespace, let root, _) = GatewayHost(header: host) { subdomainRoot = (namespace, root) }
    if let request = try? GatewayRequest(method: method, target: target, headers: headers, subdomainRoot: subdomainRoot) {
        let again = try? ContentPath(parsing: request.path.encoded)
        precondition(again?.segments == request.path.segments, "an accepted path did not print back to its names")
        precondition(again?.hasTrailingSlash == request.path.hasTrailingSlash, "the trailing slash changed")
        if let range = request.range {
            for fileSize in [0, 1, 31, 1 << 40] as [UInt64] {
                if let bytes = range.resolved(size: fileSize) {
                    precondition(bytes.upperBound <= fileSize && !bytes.isEmpty, "a range fell outside the file")
                }
            }
        }
        if case .car(let options) = request.format, let entity = options.entityBytes {
            for fileSize in [0, 1, 1026] as [UInt64] {
                if let bytes = entity.resolved(size: fileSize) {
                    precondition(bytes.upperBound <= fileSize && !bytes.isEmpty, "entity-bytes fell outside the file")
                }
            }
        }
        _ = try? GatewayHost.subdomainURL(for: request.path, root: request.root, parent: "localhost:8080", query: "")
    }
    _ = ContentTypes.sniff(Array(text.utf8.prefix(ContentTypes.sniffLength)))
    let escaped = DirectoryListingPage.escape(text)
    precondition(!escaped.contains("<") && !escaped.contains("\""), "a listing let markup through")
    return 0
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzGatewayRequestMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
