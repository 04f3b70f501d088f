import Blocks

extension ExchangeMessage {
    /// The flag bit of a want's flags byte that asks for `DONT_HAVE` answers.
    static let sendDontHaveFlag: UInt8 = 0x01

    /// The bytes of a want entry besides its CID: length byte, 4-byte priority, flags byte.
    static let wantOverhead = 1 + 4 + 1

    /// The length of ``encoded()``, computed without encoding.
    public var encodedCount: Int {
        switch self {
        case .wantHave(let wants), .wantBlock(let wants):
            var count = 2 + Varint.encodedCount(UInt64(wants.count))
            for want in wants { count += Self.wantOverhead + want.cid.byteCount }
            return count
        case .cancel(let cids), .have(let cids), .dontHave(let cids):
            var count = 2 + Varint.encodedCount(UInt64(cids.count))
            for cid in cids { count += 1 + cid.byteCount }
            return count
        case .block(let cid, let bytes):
            return Self.blockHeaderCount(cid) + bytes.count
        case .padding(let byteCount):
            return 2 + byteCount
        case .holePunch(let bytes):
            return 2 + bytes.count
        }
    }

    /// The length of a `BLOCK` message's header: version, type, CID length and CID.
    public static func blockHeaderCount(_ cid: CID) -> Int { 3 + cid.byteCount }

    /// The canonical encoding: decoding it gives this message back.
    ///
    /// - Throws: ``ExchangeMessageEncodingError`` for an empty list, more than ``maxEntries`` entries, a block
    ///   over ``Block/maxByteCount`` bytes, padding outside 0...``maxPaddingByteCount``, or a `HOLE_PUNCH` outside
    ///   1...``maxHolePunchByteCount`` bytes.
    public func encoded() throws(ExchangeMessageEncodingError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(encodedCount)
        try encode(into: &output)
        return output
    }

    /// Appends the canonical encoding to `output`.
    ///
    /// - Throws: ``ExchangeMessageEncodingError``, as ``encoded()``; nothing is appended then.
    public func encode(into output: inout [UInt8]) throws(ExchangeMessageEncodingError) {
        switch self {
        case .wantHave(let wants), .wantBlock(let wants):
            try Self.checkCount(wants.count, type)
            Self.appendListHeader(type, count: wants.count, to: &output)
            for want in wants {
                Self.appendCID(want.cid, to: &output)
                let priority = want.priority
                output.append(UInt8(truncatingIfNeeded: priority >> 24))
                output.append(UInt8(truncatingIfNeeded: priority >> 16))
                output.append(UInt8(truncatingIfNeeded: priority >> 8))
                output.append(UInt8(truncatingIfNeeded: priority))
                output.append(want.sendDontHave ? Self.sendDontHaveFlag : 0)
            }
        case .cancel(let cids), .have(let cids), .dontHave(let cids):
            try Self.checkCount(cids.count, type)
            Self.appendListHeader(type, count: cids.count, to: &output)
            for cid in cids { Self.appendCID(cid, to: &output) }
        case .block(let cid, let bytes):
            guard bytes.count <= Block.maxByteCount else { throw .blockTooLarge(bytes.count) }
            Self.appendBlockHeader(cid, to: &output)
            output.append(contentsOf: bytes)
        case .padding(let byteCount):
            try Self.checkPadding(byteCount)
            output.append(Self.version)
            output.append(ExchangeMessageType.padding.rawValue)
            output.append(contentsOf: repeatElement(0, count: byteCount))
        case .holePunch(let bytes):
            guard (1...Self.maxHolePunchByteCount).contains(bytes.count) else { throw .holePunchOutOfRange(bytes.count) }
            output.append(Self.version)
            output.append(ExchangeMessageType.holePunch.rawValue)
            output.append(contentsOf: bytes)
        }
    }

    /// Checks that `byteCount` zero bytes fit one `PADDING` message.
    public static func checkPadding(_ byteCount: Int) throws(ExchangeMessageEncodingError) {
        guard byteCount >= 0 && byteCount <= maxPaddingByteCount else { throw .paddingOutOfRange(byteCount) }
    }

    /// Appends a `BLOCK` message's header (everything before the block's bytes) to `output`, so that a shell can
    /// write the header and the block's bytes as two pieces of one frame without copying the block.
    public static func appendBlockHeader(_ cid: CID, to output: inout [UInt8]) {
        output.append(version)
        output.append(ExchangeMessageType.block.rawValue)
        appendCID(cid, to: &output)
    }

    private static func checkCount(_ count: Int, _ type: ExchangeMessageType) throws(ExchangeMessageEncodingError) {
        guard count > 0 else { throw .emptyList(type) }
        guard count <= maxEntries else { throw .tooManyEntries(type, count) }
    }

    private static func appendListHeader(_ type: ExchangeMessageType, count: Int, to output: inout [UInt8]) {
        output.append(version)
        output.append(type.rawValue)
        Varint.encode(UInt64(count), into: &output)
    }

    private static func appendCID(_ cid: CID, to output: inout [UInt8]) {
        output.append(UInt8(cid.byteCount))
        cid.append(to: &output)
    }
}
