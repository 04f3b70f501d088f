import Blocks

extension ExchangeMessage {
    /// Decodes one message (one frame). Never traps: anything malformed throws.
    ///
    /// The block bytes of a `BLOCK` are copied once, out of `bytes`; nothing else is copied.
    ///
    /// - Throws: ``ExchangeMessageError`` naming what is wrong and its byte offset.
    public init(decoding bytes: UnsafeRawBufferPointer) throws(ExchangeMessageError) {
        guard bytes.count <= Self.maxByteCount else { throw .tooLarge(byteCount: bytes.count) }
        var decoder = Decoder(bytes: bytes)
        self = try decoder.message()
    }

    /// Decodes one message held in an array.
    ///
    /// - Throws: ``ExchangeMessageError``, as ``init(decoding:)-(UnsafeRawBufferPointer)``.
    public init(decoding bytes: [UInt8]) throws(ExchangeMessageError) {
        let result: Result<ExchangeMessage, ExchangeMessageError> = bytes.withUnsafeBytes { buffer in
            do throws(ExchangeMessageError) {
                return .success(try ExchangeMessage(decoding: buffer))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// Decodes one message received in two pieces, `head` followed by `blockBytes` (a frame whose payload the
    /// secure channel split off where ``blockBytesOffset(in:)`` said): when `head` is exactly a `BLOCK`'s header,
    /// `blockBytes` becomes the block's bytes as it is, without a copy. Any other split decodes the two pieces
    /// joined, with the same result and errors as ``init(decoding:)-([UInt8])``.
    ///
    /// - Throws: ``ExchangeMessageError``, as ``init(decoding:)-(UnsafeRawBufferPointer)``.
    public init(decoding head: [UInt8], blockBytes: [UInt8]) throws(ExchangeMessageError) {
        guard !blockBytes.isEmpty else {
            self = try ExchangeMessage(decoding: head)
            return
        }
        let total = head.count + blockBytes.count
        guard total <= Self.maxByteCount else { throw .tooLarge(byteCount: total) }
        if case .block(let cid, let rest)? = try? ExchangeMessage(decoding: head), rest.isEmpty {
            guard blockBytes.count <= Block.maxByteCount else {
                throw .blockTooLarge(blockBytes.count, offset: head.count)
            }
            self = .block(cid, bytes: blockBytes)
            return
        }
        self = try ExchangeMessage(decoding: head + blockBytes)
    }

    /// Where a `BLOCK`'s block bytes start, given a message's first bytes (up to its whole length): the length of
    /// its header (version, type, CID length, CID) when `prefix` is a `BLOCK`'s and holds all of that header;
    /// otherwise `nil`. Only the first three bytes are read; ``init(decoding:blockBytes:)`` checks the rest. For
    /// the secure channel's payload split (`SecureFrameReader.PayloadSplit`).
    public static func blockBytesOffset(in prefix: UnsafeRawBufferPointer) -> Int? {
        guard prefix.count >= 3, prefix[0] == version, prefix[1] == ExchangeMessageType.block.rawValue else {
            return nil
        }
        let offset = 3 + Int(prefix[2])
        return offset <= prefix.count ? offset : nil
    }

    /// Reads the fields of one message front to back.
    private struct Decoder {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        var remaining: Int { bytes.count - offset }

        mutating func message() throws(ExchangeMessageError) -> ExchangeMessage {
            let version = try byte(.version)
            guard version == ExchangeMessage.version else { throw .unsupportedVersion(version) }
            let typeByte = try byte(.type)
            guard let type = ExchangeMessageType(rawValue: typeByte) else { throw .unknownType(typeByte) }
            let message: ExchangeMessage
            switch type {
            case .wantHave: message = .wantHave(try wants())
            case .wantBlock: message = .wantBlock(try wants())
            case .cancel: message = .cancel(try cids())
            case .have: message = .have(try cids())
            case .dontHave: message = .dontHave(try cids())
            case .block:
                let cid = try cid()
                guard remaining <= Block.maxByteCount else { throw .blockTooLarge(remaining, offset: offset) }
                let data = Array(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                offset = bytes.count
                return .block(cid, bytes: data)
            case .padding:
                // Only zero bytes, so that the encoding stays canonical.
                let start = offset
                if let nonZero = bytes[start...].firstIndex(where: { $0 != 0 }) { throw .nonZeroPadding(offset: nonZero) }
                offset = bytes.count
                return .padding(byteCount: bytes.count - start)
            case .holePunch:
                guard (1...ExchangeMessage.maxHolePunchByteCount).contains(remaining) else {
                    throw .holePunchLength(remaining, offset: offset)
                }
                let payload = Array(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                offset = bytes.count
                return .holePunch(payload)
            }
            guard remaining == 0 else { throw .trailingBytes(remaining, offset: offset) }
            return message
        }

        mutating func byte(_ field: ExchangeMessageField) throws(ExchangeMessageError) -> UInt8 {
            guard remaining >= 1 else { throw .truncated(field, offset: offset) }
            defer { offset += 1 }
            return bytes[offset]
        }

        /// The entry count: a minimal varint from 1 to ``ExchangeMessage/maxEntries``.
        mutating func count() throws(ExchangeMessageError) -> Int {
            let start = offset
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = try byte(.count)
                guard offset - start <= Varint.maxByteCount else { throw .nonMinimalVarint(offset: start) }
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 {
                    if byte == 0 && offset - start > 1 { throw .nonMinimalVarint(offset: start) }
                    break
                }
                shift += 7
            }
            guard value > 0 else { throw .emptyList(offset: start) }
            guard value <= UInt64(ExchangeMessage.maxEntries) else { throw .tooManyEntries(value, offset: start) }
            return Int(value)
        }

        mutating func cid() throws(ExchangeMessageError) -> CID {
            let lengthOffset = offset
            let length = Int(try byte(.cidLength))
            guard length > 0 && length <= ExchangeMessage.maxCIDByteCount else {
                throw .badCIDLength(length, offset: lengthOffset)
            }
            guard remaining >= length else { throw .truncated(.cid, offset: offset) }
            let start = offset
            offset += length
            do {
                return try CID(decoding: Array(UnsafeRawBufferPointer(rebasing: bytes[start..<offset])))
            } catch {
                throw .invalidCID(error, offset: start)
            }
        }

        mutating func wants() throws(ExchangeMessageError) -> [ExchangeWant] {
            let count = try count()
            var wants: [ExchangeWant] = []
            wants.reserveCapacity(min(count, remaining / 35 + 1))
            for _ in 0..<count {
                let cid = try cid()
                guard remaining >= 4 else { throw .truncated(.priority, offset: offset) }
                var priority: UInt32 = 0
                for index in 0..<4 { priority = priority << 8 | UInt32(bytes[offset + index]) }
                offset += 4
                let flagsOffset = offset
                let flags = try byte(.flags)
                guard flags & ~ExchangeMessage.sendDontHaveFlag == 0 else {
                    throw .unknownFlags(flags, offset: flagsOffset)
                }
                wants.append(
                    ExchangeWant(
                        cid: cid, priority: priority, sendDontHave: flags & ExchangeMessage.sendDontHaveFlag != 0))
            }
            return wants
        }

        mutating func cids() throws(ExchangeMessageError) -> [CID] {
            let count = try count()
            var cids: [CID] = []
            cids.reserveCapacity(min(count, remaining / 35 + 1))
            for _ in 0..<count { cids.append(try cid()) }
            return cids
        }
    }
}
