import Kademlia

/// Reads the fields of a relay or hole-punch message body whose size was checked against its type first.
struct BodyCursor {
    let bytes: [UInt8]
    var offset: Int

    var isAtEnd: Bool { offset == bytes.count }

    mutating func take(_ count: Int) -> [UInt8] {
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func integer(_ count: Int) -> UInt64 {
        take(count).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Family `4` or `6`, address, port (not 0); family `0` alone stands for none where `optional`.
    mutating func address(optional: Bool) throws(RelayWireError) -> NodeAddress? {
        guard offset < bytes.count else { throw .badAddress }
        let family = take(1)[0]
        let host: NodeAddress.Host
        switch family {
        case 0 where optional:
            return nil
        case 4 where bytes.count - offset >= 6:
            host = .ipv4(UInt32(integer(4)))
        case 6 where bytes.count - offset >= 18:
            host = .ipv6(high: integer(8), low: integer(8))
        default:
            throw .badAddress
        }
        let port = UInt16(integer(2))
        guard port != 0 else { throw .badAddress }
        return NodeAddress(host: host, port: port)
    }
}
