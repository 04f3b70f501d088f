/// Why bytes could not be read as relay messages. The relay closes the connection without an answer.
public enum RelayWireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A body length outside 9 ... ``RelayMessage/maxBodyByteCount``.
    case badLength(Int)
    /// The body does not start with `swiftrly`.
    case badMagic
    /// A type byte no message has.
    case unknownType(UInt8)
    /// The body's size does not fit its type.
    case badSize(type: UInt8, size: Int)
    /// A status byte no status has.
    case unknownStatus(UInt8)
    /// An address family other than 4 or 6 (0 only where an address is optional), or port 0.
    case badAddress

    /// One line for logs.
    public var description: String {
        switch self {
        case .badLength(let length): "relay message length \(length) (9-\(RelayMessage.maxBodyByteCount))"
        case .badMagic: "not a relay message (no swiftrly magic)"
        case .unknownType(let type): "unknown relay message type \(type)"
        case .badSize(let type, let size): "relay message type \(type) with a \(size)-byte body"
        case .unknownStatus(let status): "unknown relay status \(status)"
        case .badAddress: "bad address in a relay message"
        }
    }
}
