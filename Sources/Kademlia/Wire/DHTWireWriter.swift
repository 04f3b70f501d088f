/// Appends big-endian fields to the bytes of one datagram.
struct DHTWireWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    mutating func writeUInt8(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func writeUInt16(_ value: UInt16) {
        writeInteger(value)
    }

    mutating func writeUInt32(_ value: UInt32) {
        writeInteger(value)
    }

    mutating func writeUInt64(_ value: UInt64) {
        writeInteger(value)
    }

    mutating func writeBytes(_ value: [UInt8]) {
        bytes.append(contentsOf: value)
    }

    mutating func writeZeros(_ count: Int) {
        bytes.append(contentsOf: repeatElement(0, count: count))
    }

    mutating func writeNodeID(_ id: NodeID) {
        writeUInt64(id.w0)
        writeUInt64(id.w1)
        writeUInt64(id.w2)
        writeUInt64(id.w3)
    }

    private mutating func writeInteger<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        var shift = T.bitWidth - 8
        while shift >= 0 {
            bytes.append(UInt8(truncatingIfNeeded: value >> T(shift)))
            shift -= 8
        }
    }
}
