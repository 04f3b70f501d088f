/// Appends big-endian fields to the bytes of one datagram.
///
/// Integers are appended as one block of bytes each (not byte by byte): the encoder writes every contact of a
/// `NODES` reply through here, so this is on the node's hottest path.
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
        let words = (id.w0.bigEndian, id.w1.bigEndian, id.w2.bigEndian, id.w3.bigEndian)
        withUnsafeBytes(of: words) { bytes.append(contentsOf: $0) }
    }

    private mutating func writeInteger<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
