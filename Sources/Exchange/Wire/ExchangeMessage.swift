import Blocks

/// One block-exchange message: what travels in one authenticated frame of a secure channel.
///
/// docs/PROTOCOL.md, "Block exchange", fixes the layout byte by byte. Every message starts with the version byte
/// and the type byte; list messages carry 1 to ``maxEntries`` entries; `BLOCK` carries one block of at most
/// ``Block/maxByteCount`` bytes, so a message is at most ``maxByteCount`` bytes (the channel's frame limit).
public enum ExchangeMessage: Hashable, Sendable {
    /// `WANT_HAVE`: "tell me whether you have these blocks" (answered with `HAVE`, or `DONT_HAVE` when asked).
    case wantHave([ExchangeWant])
    /// `WANT_BLOCK`: "send me these blocks" (answered with `BLOCK`, or `DONT_HAVE` when asked).
    case wantBlock([ExchangeWant])
    /// `CANCEL`: "I no longer want these blocks" (removes them from the receiver's wantlist for the sender).
    case cancel([CID])
    /// `HAVE`: "I have these blocks".
    case have([CID])
    /// `DONT_HAVE`: "I do not have these blocks" (only sent for wants with ``ExchangeWant/sendDontHave``).
    case dontHave([CID])
    /// `BLOCK`: one block's CID and bytes. The receiver MUST hash the bytes before it stores, passes on or yields
    /// them.
    case block(CID, bytes: [UInt8])
    /// `PADDING`: `byteCount` zero bytes that the receiver ignores. A node sends one large `PADDING` to a session
    /// member when the connection opens, so that the kernel's congestion control measures the path on a real burst
    /// and later small answers leave at that rate instead of being paced out from the initial window
    /// (docs/PROTOCOL.md, "Warm-up").
    case padding(byteCount: Int)
    /// `HOLE_PUNCH`: 1 to ``maxHolePunchByteCount`` bytes of the hole-punch coordination (docs/PROTOCOL.md, "Hole
    /// punching"), which the exchange carries between the two ends of a relayed connection without reading them.
    case holePunch([UInt8])

    /// The version byte this implementation writes and accepts.
    public static let version: UInt8 = 1

    /// The largest message: one 2 MiB block plus 64 bytes of header, the secure channel's frame limit.
    public static let maxByteCount = Block.maxByteCount + 64

    /// The most entries in one list message; a sender with more splits them over several messages.
    public static let maxEntries = 1024

    /// The most zero bytes one `PADDING` carries: what fills the largest message after its two header bytes.
    public static let maxPaddingByteCount = maxByteCount - 2

    /// The most bytes one `HOLE_PUNCH` carries.
    public static let maxHolePunchByteCount = 255

    /// The longest binary CID accepted in a message (real CIDs of the supported kinds are 34 or 36 bytes).
    public static let maxCIDByteCount = 64

    /// The message type.
    public var type: ExchangeMessageType {
        switch self {
        case .wantHave: .wantHave
        case .wantBlock: .wantBlock
        case .cancel: .cancel
        case .have: .have
        case .dontHave: .dontHave
        case .block: .block
        case .padding: .padding
        case .holePunch: .holePunch
        }
    }
}

/// One entry of a `WANT_HAVE` or `WANT_BLOCK` list.
public struct ExchangeWant: Hashable, Sendable {
    /// The block wanted.
    public var cid: CID
    /// Higher is served first; among equal priorities, the earlier want first. Clients derive it from the block's
    /// position in the file so that a re-requested early block overtakes later ones.
    public var priority: UInt32
    /// Whether the receiver SHOULD answer `DONT_HAVE` when it does not have the block (otherwise it stays silent).
    public var sendDontHave: Bool

    /// Creates an entry.
    public init(cid: CID, priority: UInt32 = 0, sendDontHave: Bool = true) {
        self.cid = cid
        self.priority = priority
        self.sendDontHave = sendDontHave
    }
}
