import Blocks

/// The pieces of a CAR v1 stream as a gateway writes them: the header with one root, then one section per block.
public enum CARStream {
    /// The varint-prefixed header naming the root whose binary CID is `cidBytes` (an identity CID too, which the
    /// ``CID`` type does not hold).
    public static func header(rootBytes cidBytes: [UInt8]) -> [UInt8] {
        var body: [UInt8] = [0xa2, 0x65] + Array("roots".utf8) + [0x81, 0xd8, 42]
        appendByteStringHead(cidBytes.count + 1, to: &body)
        body.append(0x00)
        body += cidBytes
        body += [0x67] + Array("version".utf8) + [0x01]
        return Varint.encode(UInt64(body.count)) + body
    }

    /// The header naming `root`.
    public static func header(root: CID) -> [UInt8] { header(rootBytes: root.bytes) }

    /// One section: `varint(length) CID bytes`.
    public static func section(_ block: Block) -> [UInt8] {
        var piece: [UInt8] = []
        piece.reserveCapacity(block.cid.byteCount + block.bytes.count + Varint.maxByteCount)
        Varint.encode(UInt64(block.cid.byteCount + block.bytes.count), into: &piece)
        block.cid.append(to: &piece)
        piece += block.bytes
        return piece
    }

    /// A CBOR byte-string head (major type 2) for `count` bytes, shortest form.
    static func appendByteStringHead(_ count: Int, to output: inout [UInt8]) {
        switch count {
        case ..<24: output.append(0x40 | UInt8(count))
        case ..<256: output += [0x58, UInt8(count)]
        default: output += [0x59, UInt8(count >> 8), UInt8(count & 0xff)]
        }
    }
}
