import DHTCrypto

/// A 256-bit identifier in Kademlia's XOR metric space: a node's ID, or the key of a record.
///
/// A node's ID is SHA-256 of its Ed25519 public key (see ``init(publicKey:)``), so nobody chooses an ID freely.
/// Record keys live in the same space (``RecordKey``). The bits are numbered from the most significant bit of the
/// first byte (bit 0) to the least significant bit of the last byte (bit 255).
///
/// Stored as four big-endian 64-bit words so that comparing, XOR-ing and counting shared bits take a few
/// instructions and a routing table of 100,000 simulated nodes stays compact.
public struct NodeID: Hashable, Comparable, Sendable {
    /// The number of bits in an ID.
    public static let bitCount = 256
    /// The number of bytes in an ID.
    public static let byteCount = 32

    @usableFromInline var w0: UInt64
    @usableFromInline var w1: UInt64
    @usableFromInline var w2: UInt64
    @usableFromInline var w3: UInt64

    @inlinable init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// The all-zero ID.
    public static let zero = NodeID(0, 0, 0, 0)
    /// The all-one ID (the largest distance when used as a distance).
    public static let max = NodeID(.max, .max, .max, .max)

    /// Creates an ID from exactly 32 bytes.
    ///
    /// - Throws: ``NodeIDParseError/wrongLength(_:)`` for any other length.
    public init(bytes: some Collection<UInt8>) throws(NodeIDParseError) {
        guard bytes.count == Self.byteCount else { throw .wrongLength(bytes.count) }
        self.init(exactly32: bytes)
    }

    /// Packs 32 bytes (the caller guarantees the count) into the four words.
    private init(exactly32 bytes: some Collection<UInt8>) {
        // Contiguous bytes (arrays, digests: the common case, once per received datagram) are read as four
        // big-endian words without a copy.
        if let id = bytes.withContiguousStorageIfAvailable({ buffer in
            let raw = UnsafeRawBufferPointer(buffer)
            return NodeID(
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            )
        }) {
            self = id
            return
        }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for (index, byte) in bytes.enumerated() {
            switch index / 8 {
            case 0: words.0 = words.0 << 8 | UInt64(byte)
            case 1: words.1 = words.1 << 8 | UInt64(byte)
            case 2: words.2 = words.2 << 8 | UInt64(byte)
            default: words.3 = words.3 << 8 | UInt64(byte)
            }
        }
        self.init(words.0, words.1, words.2, words.3)
    }

    /// Parses 64 hexadecimal characters.
    ///
    /// - Throws: ``NodeIDParseError`` naming what is wrong: the length, or the offset of a non-hex character.
    public init(hex text: some StringProtocol) throws(NodeIDParseError) {
        let count = text.utf8.count
        guard count == Self.byteCount * 2 else { throw .wrongHexLength(count) }
        let bytes: [UInt8]
        do {
            bytes = try Hex.decode(text)
        } catch {
            switch error {
            case .invalidCharacter(let offset): throw .invalidHexCharacter(offset: offset)
            case .oddLength(let count): throw .wrongHexLength(count)
            }
        }
        try self.init(bytes: bytes)
    }

    /// The ID of a node: SHA-256 of its Ed25519 public key.
    public init(publicKeyBytes: some ContiguousBytes) {
        // A SHA-256 digest is always 32 bytes.
        self.init(exactly32: SHA256.hash(publicKeyBytes).bytes)
    }

    /// Draws a uniformly random ID from `generator`.
    public static func random(using generator: inout some RandomNumberGenerator) -> NodeID {
        NodeID(generator.next(), generator.next(), generator.next(), generator.next())
    }

    /// The 32 bytes of the ID, most significant first.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.byteCount)
        for word in [w0, w1, w2, w3] {
            for shift in stride(from: 56, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return out
    }

    /// Lowercase hexadecimal text of the 32 bytes.
    public var hex: String { Hex.encode(bytes) }

    /// The XOR distance between two IDs, itself a 256-bit number compared as unsigned big-endian.
    @inlinable public func distance(to other: NodeID) -> NodeID {
        NodeID(w0 ^ other.w0, w1 ^ other.w1, w2 ^ other.w2, w3 ^ other.w3)
    }

    /// The number of leading bits this ID shares with `other`: 256 for equal IDs, 0 when the first bit differs.
    @inlinable public func sharedPrefixLength(with other: NodeID) -> Int {
        distance(to: other).leadingZeroBitCount
    }

    /// The number of leading zero bits (256 for ``zero``).
    @inlinable public var leadingZeroBitCount: Int {
        if w0 != 0 { return w0.leadingZeroBitCount }
        if w1 != 0 { return 64 + w1.leadingZeroBitCount }
        if w2 != 0 { return 128 + w2.leadingZeroBitCount }
        return 192 + w3.leadingZeroBitCount
    }

    /// The bit at `index` (0 is the most significant bit of the first byte).
    @inlinable public func bit(_ index: Int) -> Bool {
        precondition((0..<256).contains(index), "bit index \(index) outside 0..<256")
        let word = [w0, w1, w2, w3][index / 64]
        return (word >> UInt64(63 - index % 64)) & 1 == 1
    }

    /// This ID with the bit at `index` inverted.
    @inlinable public func flippingBit(_ index: Int) -> NodeID {
        precondition((0..<256).contains(index), "bit index \(index) outside 0..<256")
        var copy = self
        let mask = UInt64(1) << UInt64(63 - index % 64)
        switch index / 64 {
        case 0: copy.w0 ^= mask
        case 1: copy.w1 ^= mask
        case 2: copy.w2 ^= mask
        default: copy.w3 ^= mask
        }
        return copy
    }

    /// A random ID that shares exactly `length` leading bits with this one (`length` < 256), or this ID when
    /// `length` is 256. Used to refresh the bucket that holds IDs at that shared-prefix length.
    public func randomID(sharingPrefixLength length: Int, using generator: inout some RandomNumberGenerator) -> NodeID {
        precondition((0...256).contains(length), "prefix length \(length) outside 0...256")
        if length == 256 { return self }
        let random = NodeID.random(using: &generator)
        // Keep our first `length` bits, flip bit `length`, keep the random rest.
        let keepMask = NodeID.prefixMask(length)
        var id = NodeID(
            (w0 & keepMask.w0) | (random.w0 & ~keepMask.w0),
            (w1 & keepMask.w1) | (random.w1 & ~keepMask.w1),
            (w2 & keepMask.w2) | (random.w2 & ~keepMask.w2),
            (w3 & keepMask.w3) | (random.w3 & ~keepMask.w3)
        )
        if id.bit(length) == bit(length) { id = id.flippingBit(length) }
        return id
    }

    /// An ID whose first `length` bits are 1 and the rest 0.
    static func prefixMask(_ length: Int) -> NodeID {
        func word(_ index: Int) -> UInt64 {
            let bits = Swift.max(0, Swift.min(64, length - index * 64))
            return bits == 0 ? 0 : (bits == 64 ? .max : ~(UInt64.max >> UInt64(bits)))
        }
        return NodeID(word(0), word(1), word(2), word(3))
    }

    /// Hashes the first 64 bits only: IDs are SHA-256 outputs (or uniformly random), so those bits spread as well
    /// as all 256, and the hasher's per-process seed still keeps chosen collisions out of reach.
    @inlinable public func hash(into hasher: inout Hasher) {
        hasher.combine(w0)
    }

    /// Equal when all 256 bits are equal.
    @inlinable public static func == (lhs: NodeID, rhs: NodeID) -> Bool {
        lhs.w0 == rhs.w0 && lhs.w1 == rhs.w1 && lhs.w2 == rhs.w2 && lhs.w3 == rhs.w3
    }

    /// Orders by the 256-bit value, most significant bit first.
    @inlinable public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        if lhs.w0 != rhs.w0 { return lhs.w0 < rhs.w0 }
        if lhs.w1 != rhs.w1 { return lhs.w1 < rhs.w1 }
        if lhs.w2 != rhs.w2 { return lhs.w2 < rhs.w2 }
        return lhs.w3 < rhs.w3
    }
}

extension NodeID: CustomStringConvertible {
    /// The first 8 bytes in hex, enough to tell IDs apart in logs.
    public var description: String { String(hex.prefix(16)) }
}

/// The key of a value or provider record: a point in the same 256-bit space as node IDs.
public typealias RecordKey = NodeID

/// Why text or bytes could not be read as a ``NodeID``.
public enum NodeIDParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes were not 32 long (the count is attached).
    case wrongLength(Int)
    /// The hex text was not 64 characters long (the count is attached).
    case wrongHexLength(Int)
    /// The character at this offset is not a hexadecimal digit.
    case invalidHexCharacter(offset: Int)

    /// A short, human-readable form.
    public var description: String {
        switch self {
        case .wrongLength(let count): "a node ID is 32 bytes, got \(count)"
        case .wrongHexLength(let count): "a node ID is 64 hex characters, got \(count)"
        case .invalidHexCharacter(let offset): "node ID has a non-hex character at offset \(offset)"
        }
    }
}
