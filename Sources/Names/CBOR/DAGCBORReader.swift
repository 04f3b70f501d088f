/// Reads the strict subset of CBOR that DAG-CBOR allows (ipld.io DAG-CBOR spec, "Strictness"), so that one data
/// model value has exactly one encoding and a record's signed bytes cannot be re-read differently.
///
/// Refused: integers and lengths not in their shortest form, indefinite lengths, tags other than 42, simple values
/// other than false, true and null, floats other than finite 64-bit ones, map keys that are not text or are out of
/// the length-first canonical order (or repeated), text that is not UTF-8, and nesting past ``maximumDepth``.
/// Every read is bounded by the input: a length larger than what remains fails as truncated, never allocates.
struct DAGCBORReader {
    /// How deep arrays, maps and tags may nest; an IPNS record's own fields are one level deep.
    static let maximumDepth = 32

    /// CBOR major types (RFC 8949, section 3.1).
    enum MajorType: UInt8 {
        case unsigned = 0
        case negative = 1
        case bytes = 2
        case text = 3
        case array = 4
        case map = 5
        case tag = 6
        case simple = 7
    }

    /// An item's first byte and argument.
    struct Head {
        var major: MajorType
        /// The count, length, tag number or value; for a float, its bits.
        var argument: UInt64
        /// Where the item starts.
        var offset: Int
    }

    let bytes: [UInt8]
    private(set) var position: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
    }

    var isAtEnd: Bool { position >= bytes.count }

    /// Reads an item's head, checking that its argument is in its shortest form.
    mutating func readHead() throws(DAGCBORError) -> Head {
        let offset = position
        guard position < bytes.count else { throw .truncated(offset: offset) }
        let initial = bytes[position]
        position += 1
        guard let major = MajorType(rawValue: initial >> 5) else { throw .truncated(offset: offset) }
        let additional = initial & 0x1f

        if major == .simple {
            switch additional {
            case 20, 21, 22:  // false, true, null
                return Head(major: major, argument: UInt64(additional), offset: offset)
            case 27:
                let bits = try readBigEndian(count: 8, offset: offset)
                // DAG-CBOR: NaN and the infinities are not allowed.
                guard Double(bitPattern: bits).isFinite else { throw .unsupportedSimpleValue(offset: offset) }
                return Head(major: major, argument: bits, offset: offset)
            case 31: throw .indefiniteLength(offset: offset)
            default: throw .unsupportedSimpleValue(offset: offset)
            }
        }

        let argument: UInt64
        switch additional {
        case 0..<24: argument = UInt64(additional)
        case 24:
            argument = try readBigEndian(count: 1, offset: offset)
            guard argument >= 24 else { throw .nonMinimalInteger(offset: offset) }
        case 25:
            argument = try readBigEndian(count: 2, offset: offset)
            guard argument > 0xff else { throw .nonMinimalInteger(offset: offset) }
        case 26:
            argument = try readBigEndian(count: 4, offset: offset)
            guard argument > 0xffff else { throw .nonMinimalInteger(offset: offset) }
        case 27:
            argument = try readBigEndian(count: 8, offset: offset)
            guard argument > 0xffff_ffff else { throw .nonMinimalInteger(offset: offset) }
        case 31: throw .indefiniteLength(offset: offset)
        default: throw .reservedAdditionalInformation(offset: offset)
        }
        return Head(major: major, argument: argument, offset: offset)
    }

    /// The range of a byte or text string's payload of `length` bytes, advancing past it.
    mutating func readPayload(length: UInt64, offset: Int) throws(DAGCBORError) -> Range<Int> {
        let available = bytes.count - position
        guard length <= UInt64(available) else { throw .truncated(offset: offset) }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    /// Reads a map key: a UTF-8 text string that sorts after `previous` (length first, then bytewise).
    mutating func readKey(after previous: Range<Int>?) throws(DAGCBORError) -> Range<Int> {
        let head = try readHead()
        guard head.major == .text else { throw .nonStringKey(offset: head.offset) }
        let range = try readPayload(length: head.argument, offset: head.offset)
        try checkUTF8(range, offset: head.offset)
        if let previous {
            let ordered =
                previous.count < range.count
                || (previous.count == range.count
                    && bytes[previous].lexicographicallyPrecedes(bytes[range]))
            guard ordered else { throw .keysOutOfOrder(offset: head.offset) }
        }
        return range
    }

    /// Reads and checks one whole item of any kind, keeping nothing: how fields a reader does not know are passed
    /// over (the IPNS spec: implementations "MUST ignore unexpected fields"), while still refusing bytes that are
    /// not strict DAG-CBOR.
    mutating func skipItem(depth: Int = 0) throws(DAGCBORError) {
        let head = try readHead()
        switch head.major {
        case .unsigned, .negative, .simple:
            return
        case .bytes:
            _ = try readPayload(length: head.argument, offset: head.offset)
        case .text:
            let range = try readPayload(length: head.argument, offset: head.offset)
            try checkUTF8(range, offset: head.offset)
        case .array:
            guard depth < Self.maximumDepth else { throw .tooDeep(offset: head.offset) }
            // Each item takes at least one byte, so a huge count ends at the end of the input as truncated.
            var remaining = head.argument
            while remaining > 0 {
                try skipItem(depth: depth + 1)
                remaining -= 1
            }
        case .map:
            guard depth < Self.maximumDepth else { throw .tooDeep(offset: head.offset) }
            var remaining = head.argument
            var previous: Range<Int>? = nil
            while remaining > 0 {
                previous = try readKey(after: previous)
                try skipItem(depth: depth + 1)
                remaining -= 1
            }
        case .tag:
            // DAG-CBOR's only tag is 42: a CID as a byte string with the identity multibase prefix 0x00.
            guard head.argument == 42 else { throw .unsupportedTag(head.argument, offset: head.offset) }
            let inner = try readHead()
            guard inner.major == .bytes else { throw .unsupportedTag(head.argument, offset: head.offset) }
            let range = try readPayload(length: inner.argument, offset: inner.offset)
            guard range.count > 1, bytes[range.lowerBound] == 0x00 else {
                throw .unsupportedTag(head.argument, offset: head.offset)
            }
        }
    }

    private mutating func readBigEndian(count: Int, offset: Int) throws(DAGCBORError) -> UInt64 {
        guard bytes.count - position >= count else { throw .truncated(offset: offset) }
        var value: UInt64 = 0
        for index in position..<(position + count) { value = value << 8 | UInt64(bytes[index]) }
        position += count
        return value
    }

    private func checkUTF8(_ range: Range<Int>, offset: Int) throws(DAGCBORError) {
        guard String(validating: bytes[range], as: UTF8.self) != nil else { throw .invalidUTF8(offset: offset) }
    }
}
