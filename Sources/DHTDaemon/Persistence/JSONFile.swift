import Foundation

/// JSON documents in the data directory, written atomically (``POSIXFile/writeAtomically(_:to:mode:)``).
enum JSONFile {
    /// Encodes `document` (sorted keys, a final newline) and writes it to `path` with `mode`.
    static func write(
        _ document: some Encodable,
        to path: String,
        mode: mode_t,
        pretty: Bool = false
    )
        throws(PersistenceError)
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(document)
        } catch {
            throw PersistenceError(.io, path: path, reason: "cannot encode: \(error)")
        }
        try POSIXFile.writeAtomically(Array(data) + [UInt8(ascii: "\n")], to: path, mode: mode)
    }
}
