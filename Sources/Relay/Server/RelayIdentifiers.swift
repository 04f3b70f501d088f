/// A connection the shell gave the relay core, numbered by the shell.
public struct RelayConnectionID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The shell's number.
    public var rawValue: UInt64
    /// Wraps a number.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "c\(rawValue)" }
}

/// A circuit, numbered by the relay core.
public struct RelayCircuitID: Hashable, Sendable, CustomStringConvertible {
    /// The core's number.
    public var rawValue: UInt64
    /// Wraps a number.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "r\(rawValue)" }
}
