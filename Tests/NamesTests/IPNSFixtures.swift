import Foundation

@testable import Names

/// One record of `Tests/Fixtures/ipns_records/` (the spec's test vectors; the folder's README says where they come
/// from and what each must give).
struct IPNSFixture: Sendable, CustomStringConvertible {
    /// The name part of the file name (`k51…`).
    var nameText: String
    /// The kind part (`v1`, `v1-v2`, `v2`, `v1-v2-broken-v1-value`, …).
    var kind: String
    /// The file's bytes.
    var bytes: [UInt8]

    var description: String { kind }

    /// An instant long before the vectors expire (2123-08-14).
    static let now = IPNSTime(secondsSince1970: 1_750_000_000)

    /// The folder, found from this file's path so that tests run from any working directory.
    static func folder(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent()  // NamesTests
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("Fixtures/ipns_records")
    }

    static func load() throws -> [IPNSFixture] {
        let folder = folder()
        return try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".ipns-record") }
            .sorted()
            .map { file in
                let stem = file.dropLast(".ipns-record".count)
                let underscore = stem.firstIndex(of: "_")!
                return IPNSFixture(
                    nameText: String(stem[..<underscore]),
                    kind: String(stem[stem.index(after: underscore)...]),
                    bytes: Array(try Data(contentsOf: folder.appendingPathComponent(file)))
                )
            }
    }

    /// All six, or none (and a failing expectation in the test that counts them) when the folder is missing.
    static let all: [IPNSFixture] = (try? load()) ?? []

    static func named(_ kind: String) -> IPNSFixture? {
        all.first { $0.kind == kind }
    }
}
