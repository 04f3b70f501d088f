import Blocks
import DHTDaemon
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The ipfs/gateway-conformance fixtures (`../shared/fixtures/gateway-conformance/` beside the checkout) and a
/// live gateway over a repository that holds them.
enum ConformanceFixtures {
    /// The fixtures folder; `nil` when the checkout has no `../shared` beside it.
    static let folder: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("shared/fixtures/gateway-conformance").path
        return FileManager.default.fileExists(atPath: path + "/README.md") ? path : nil
    }()

    static var available: Bool { folder != nil }
    static let missing: Comment = "the gateway-conformance fixtures (../shared/fixtures/gateway-conformance) are not beside this checkout"

    /// The CAR files the cases use, relative to ``folder``.
    static let cars = [
        "gateway-raw-block.car", "trustless_gateway_car/subdir-with-two-single-block-files.car",
        "trustless_gateway_car/subdir-with-mixed-block-files.car", "trustless_gateway_car/dir-with-duplicate-files.car",
        "trustless_gateway_car/file-3k-and-3-blocks-missing-block.car",
        "trustless_gateway_car/single-layer-hamt-with-multi-block-files.car",
        "path_gateway_unixfs/dir-with-files.car", "path_gateway_unixfs/symlink.car",
        "path_gateway_unixfs/dir-with-percent-encoded-filename.car", "dir_listing/fixtures.car",
        "gateway-cache/fixtures.car", "subdomain_gateway/fixtures.car",
    ]

    /// The sections of a CAR v1 file: each block's binary CID and bytes (the header skipped).
    static func sections(_ bytes: [UInt8]) -> [(cid: [UInt8], data: [UInt8])] {
        var position = 0
        func varint() -> Int? {
            var value = 0, shift = 0
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                value |= Int(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        guard let headerLength = varint() else { return [] }
        position += headerLength
        var sections: [(cid: [UInt8], data: [UInt8])] = []
        while position < bytes.count, let length = varint(), position + length <= bytes.count {
            let section = Array(bytes[position..<position + length])
            position += length
            let cidLength = cidByteCount(section)
            sections.append((Array(section[..<cidLength]), Array(section[cidLength...])))
        }
        return sections
    }

    /// The length of the binary CID at the start of `bytes`.
    static func cidByteCount(_ bytes: [UInt8]) -> Int {
        if bytes.first == 0x12 { return 34 }
        var position = 0
        var fields: [Int] = []
        while fields.count < 4, position < bytes.count {
            var value = 0, shift = 0
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                value |= Int(byte & 0x7f) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            fields.append(value)
        }
        return min(bytes.count, position + (fields.last ?? 0))
    }

    /// The CIDs of a CAR body, in order, as text (blocks whose CID this package cannot hold as hex).
    static func cids(_ body: ByteBuffer) -> [String] {
        sections(Array(body.readableBytesView)).map { section in
            (try? CID(decoding: section.cid).description) ?? section.cid.map { String(format: "%02x", $0) }.joined()
        }
    }

    /// Stores every block of the fixtures this package can hold (sha2-256, raw or dag-pb), verified; the
    /// others (dag-cbor, sha2-512) are skipped, and so are the cases that need them.
    static func load(into repository: BlockRepository) async throws {
        guard let folder else { return }
        for car in cars {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + car)))
            for section in sections(bytes) {
                guard let cid = try? CID(decoding: section.cid) else { continue }
                try await repository.put(try Block(verifying: section.data, as: cid))
            }
        }
    }

    /// The HAMT shards of the HAMT fixture in the order of its CAR file (depth-first, link order).
    static func hamtShards() throws -> [String] {
        guard let folder else { return [] }
        let path = folder + "/trustless_gateway_car/single-layer-hamt-with-multi-block-files.car"
        return try sections(Array(Data(contentsOf: URL(fileURLWithPath: path)))).compactMap { section in
            guard let cid = try? CID(decoding: section.cid), cid.codec == .dagPB,
                let node = try? PBNode(decoding: section.data), let data = node.data,
                let unixfs = try? UnixFSData(decoding: data), unixfs.type == .hamtShard
            else { return nil }
            return cid.description
        }
    }

    /// Runs `body` against a live gateway (HTTP over loopback) serving the fixtures. Subdomain requests name
    /// `example.com` as the gateway's host (as the suite does), through `X-Forwarded-Host`.
    static func withGateway(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await withAsyncTemporaryFolder { folder in
            let repository = try BlockRepository(path: folder + "/repo")
            try await load(into: repository)
            let responder = GatewayResponder(repository: repository, node: nil, subdomainParents: ["example.com"])
            try await Application(responder: responder).test(.live) { client in try await body(client) }
        }
    }
}

extension TestResponse {
    /// The body as UTF-8 text.
    var text: String { String(decoding: body.readableBytesView, as: UTF8.self) }
    /// The body's bytes.
    var bytes: [UInt8] { Array(body.readableBytesView) }
}
