/// The recursive pin set as it is stored in `ROOT/pins`: a header line, then one CIDv1 a line, sorted.
///
/// ```
/// swift-dht pins 1
/// bafybeig…
/// bafkrei…
/// ```
///
/// The file is replaced as a whole (temporary file, fsync, rename, fsync of the folder), so a crash leaves the old
/// set or the new one. Pins are kept as CIDv1: pinning a CIDv0 pins the same block.
struct PinSet: Equatable, Sendable {
    static let header = "swift-dht pins 1"

    /// The pinned roots, as CIDv1.
    private(set) var roots: Set<CID> = []

    init() {}

    /// Parses the file; a missing file is an empty set.
    ///
    /// - Throws: ``BlockStoreError/invalidPinFile(path:line:)`` at the first line that is not the header or a CID.
    init(reading path: String) throws(BlockStoreError) {
        // A pin is about 60 bytes: 64 MiB is a million pins.
        switch try POSIX.readFile(path, limit: 64 << 20) {
        case .missing: return
        case .tooLarge: throw .invalidPinFile(path: path, line: 1)
        case .bytes(let bytes):
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            guard let first = lines.first, String(decoding: first, as: UTF8.self) == Self.header else {
                throw .invalidPinFile(path: path, line: 1)
            }
            for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
                guard let cid = try? CID(parsing: String(decoding: line, as: UTF8.self)) else {
                    throw .invalidPinFile(path: path, line: index + 1)
                }
                roots.insert(cid.v1)
            }
        }
    }

    /// Adds a root; returns whether it was new.
    @discardableResult
    mutating func insert(_ root: CID) -> Bool { roots.insert(root.v1).inserted }

    /// Removes a root; returns whether it was there.
    @discardableResult
    mutating func remove(_ root: CID) -> Bool { roots.remove(root.v1) != nil }

    /// The roots sorted by their text form.
    var sorted: [CID] { roots.sorted { $0.description < $1.description } }

    /// The file contents.
    func encoded() -> [UInt8] {
        Array(([Self.header] + sorted.map(\.description)).joined(separator: "\n").utf8) + [UInt8(ascii: "\n")]
    }

    /// Writes the set atomically to `path` in `directory`.
    func write(to path: String, directory: String, faults: IOFaults) throws(BlockStoreError) {
        try POSIX.writeFileAtomically(encoded(), to: path, directory: directory, faults: faults)
    }
}
