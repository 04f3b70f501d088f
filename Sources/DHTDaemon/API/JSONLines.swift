import Foundation
import NIOCore

/// Answers written as JSON lines (`application/x-ndjson`): one document per line, for progress that a client reads
/// while the work goes on (`POST /v1/get`, `POST /v1/add/file`).
enum JSONLines {
    /// `document` as one line.
    static func line(_ document: some Encodable, encoder: JSONEncoder = JSONEncoder()) throws -> ByteBuffer {
        var bytes = try encoder.encode(document)
        bytes.append(UInt8(ascii: "\n"))
        return ByteBuffer(bytes: bytes)
    }
}
