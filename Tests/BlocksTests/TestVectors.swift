import CSodium
import DHTCrypto
import Foundation

/// One entry of `Tests/Fixtures/vectors/cids.json` (kubo's CIDs for generated files; its README says where they
/// come from).
struct CIDVector: Decodable, Sendable, CustomStringConvertible {
    var content: String
    var generator: String
    var size: Int
    var profile: String
    var cid: String
    var root_tsize: UInt64

    var description: String { "\(generator) size=\(size) profile=\(profile)" }

    /// Loads the vectors from `Tests/Fixtures/vectors/cids.json`, kept in the repository so that a bare clone tests.
    static func load(filePath: String = #filePath) throws -> [CIDVector] {
        let url = URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent()  // BlocksTests
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("Fixtures/vectors/cids.json")
        return try JSONDecoder().decode([CIDVector].self, from: Data(contentsOf: url))
    }

    /// All vectors, or an empty list (and a failing expectation in the test that uses it) when missing.
    static let all: [CIDVector] = (try? load()) ?? []

    /// The content generator for this vector.
    var source: ContentSource { ContentSource(generator: generator, content: content, size: size) }
}

/// Produces a vector's bytes in pieces, so large files are never generated whole.
struct ContentSource: Sendable {
    enum Kind: Sendable {
        case literal([UInt8])
        case pattern251
        case chacha20(key: [UInt8])
    }

    let kind: Kind
    let size: Int

    init(generator: String, content: String, size: Int) {
        self.size = size
        if generator == "literal" {
            // The README: `\n` in the content string stands for one newline byte; "empty" is the empty file.
            let text = content == "empty" ? "" : content.replacingOccurrences(of: "\\n", with: "\n")
            kind = .literal(Array(text.utf8))
        } else if generator == "pattern251" {
            kind = .pattern251
        } else if generator.hasPrefix("chacha20:") {
            let seed = String(generator.dropFirst("chacha20:".count))
            kind = .chacha20(key: SHA256.hash(Array(seed.utf8)).bytes)
        } else {
            kind = .literal([])
        }
    }

    /// Offsets and lengths of consecutive pieces of at most `pieceSize` bytes (a multiple of 64) covering the
    /// content; pass each to ``bytes(at:count:)``.
    func pieces(pieceSize: Int = 1 << 20) -> [(offset: Int, count: Int)] {
        stride(from: 0, to: size, by: pieceSize).map { ($0, min(pieceSize, size - $0)) }
    }

    /// The whole content (small vectors only).
    func all() -> [UInt8] { size == 0 ? [] : bytes(at: 0, count: size) }

    /// `count` bytes from `offset`; for chacha20, `offset` must be a multiple of 64.
    func bytes(at offset: Int, count: Int) -> [UInt8] {
        switch kind {
        case .literal(let bytes):
            return Array(bytes[offset..<(offset + count)])
        case .pattern251:
            // Build one period of the pattern and copy it, rather than a per-byte loop.
            let period = (0..<251).map { UInt8($0) }
            var output: [UInt8] = []
            output.reserveCapacity(count + 251)
            var phase = offset % 251
            while output.count < count {
                let take = min(251 - phase, count - output.count)
                output.append(contentsOf: period[phase..<(phase + take)])
                phase = 0
            }
            return output
        case .chacha20(let key):
            precondition(offset % 64 == 0, "keystream pieces start on a 64-byte block")
            _ = sodium_init()
            let zeros = [UInt8](repeating: 0, count: count)
            var output = [UInt8](repeating: 0, count: count)
            let nonce = [UInt8](repeating: 0, count: Int(crypto_stream_chacha20_NONCEBYTES))
            _ = crypto_stream_chacha20_xor_ic(
                &output, zeros, UInt64(count), nonce, UInt64(offset / 64), key)
            return output
        }
    }
}
