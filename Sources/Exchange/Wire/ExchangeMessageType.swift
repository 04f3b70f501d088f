/// The type byte (offset 1) of an ``ExchangeMessage``.
public enum ExchangeMessageType: UInt8, Hashable, Sendable, CaseIterable {
    /// `WANT_HAVE`: a list of wants.
    case wantHave = 0x01
    /// `WANT_BLOCK`: a list of wants.
    case wantBlock = 0x02
    /// `CANCEL`: a list of CIDs.
    case cancel = 0x03
    /// `HAVE`: a list of CIDs.
    case have = 0x04
    /// `DONT_HAVE`: a list of CIDs.
    case dontHave = 0x05
    /// `BLOCK`: one CID and the block's bytes.
    case block = 0x06
    /// `PADDING`: zero bytes the receiver ignores (warms a new connection's congestion control).
    case padding = 0x07
    /// `HOLE_PUNCH`: a message of the traversal layer, opaque to the exchange.
    case holePunch = 0x08

    /// The name used in docs/PROTOCOL.md (`WANT_HAVE`, ...).
    public var name: String {
        switch self {
        case .wantHave: "WANT_HAVE"
        case .wantBlock: "WANT_BLOCK"
        case .cancel: "CANCEL"
        case .have: "HAVE"
        case .dontHave: "DONT_HAVE"
        case .block: "BLOCK"
        case .padding: "PADDING"
        case .holePunch: "HOLE_PUNCH"
        }
    }
}
