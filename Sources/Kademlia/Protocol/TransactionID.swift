/// Matches a response to its request: 64 random bits, checked together with the responder's address.
public struct TransactionID: Hashable, Sendable, CustomStringConvertible {
    /// The 64 bits.
    public var rawValue: UInt64

    /// Wraps 64 bits.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// A short, human-readable form.
    public var description: String { "tx" + String(rawValue, radix: 16) }
}
