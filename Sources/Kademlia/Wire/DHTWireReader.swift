/// Reads big-endian fields from the bytes of one datagram, front to back. Every read returns `nil` instead of
/// running past the end, and leaves ``offset`` unchanged when it does.
struct DHTWireReader {
    /// The datagram.
    let bytes: [UInt8]
    /// The offset of the next unread byte.
    private(set) var offset: Int = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Bytes not read yet.
    var remaining: Int { bytes.count - offset }

    mutating func readUInt8() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() -> UInt16? {
        readInteger(UInt16.self)
    }

    mutating func readUInt32() -> UInt32? {
        readInteger(UInt32.self)
    }

    mutating func readUInt64() -> UInt64? {
        readInteger(UInt64.self)
    }

    /// Consumes every remaining byte; returns the offset (from where it started) of the first one that is not
    /// zero, or `nil` when all are zero.
    mutating func skipZeros() -> Int? {
        let start = offset
        offset = bytes.count
        return bytes.withUnsafeBytes { buffer -> Int? in
            var index = start
            // Eight bytes at a time while they are all zero, then byte by byte to find the first that is not.
            while index + 8 <= buffer.count, buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self) == 0 {
                index += 8
            }
            while index < buffer.count {
                if buffer[index] != 0 { return index - start }
                index += 1
            }
            return nil
        }
    }

    /// Reads `count` bytes (`count` ≥ 0).
    mutating func readBytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a 32-byte ID.
    mutating func readNodeID() -> NodeID? {
        guard remaining >= NodeID.byteCount else { return nil }
        // Four 8-byte reads cannot fail now.
        guard let w0 = readUInt64(), let w1 = readUInt64(), let w2 = readUInt64(), let w3 = readUInt64() else {
            return nil
        }
        return NodeID(w0, w1, w2, w3)
    }

    private mutating func readInteger<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) -> T? {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { return nil }
        let start = offset
        offset += size
        return T(bigEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: start, as: T.self) })
    }
}
