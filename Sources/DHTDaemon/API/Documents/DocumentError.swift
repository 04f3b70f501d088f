import Kademlia

/// A JSON document that decoded but holds a value this version cannot use (a bad ID, address or duration).
public struct DocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The field, for example `contacts[3].address`.
    public var field: String
    /// What is wrong with it.
    public var reason: String

    /// Creates an error.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// One line: the field and the reason.
    public var description: String { "\(field): \(reason)" }

    /// Parses 64 hex digits as a ``NodeID``.
    static func nodeID(_ text: String, field: String) throws(DocumentError) -> NodeID {
        do {
            return try NodeID(hex: text)
        } catch {
            throw DocumentError(field: field, reason: error.description)
        }
    }

    /// Parses `A.B.C.D:PORT` or `[IPv6]:PORT`.
    static func address(_ text: String, field: String = "address") throws(DocumentError) -> NodeAddress {
        do {
            return try NodeAddress(parsing: text)
        } catch {
            throw DocumentError(field: field, reason: error.description)
        }
    }

    /// Seconds as a ``Duration``: finite and not negative.
    static func duration(_ seconds: Double, field: String) throws(DocumentError) -> Duration {
        guard seconds.isFinite, seconds >= 0, seconds < 1e12 else {
            throw DocumentError(field: field, reason: "\(seconds) is not a duration in seconds")
        }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}

extension Duration {
    /// The duration in seconds, as JSON documents carry it.
    var inSeconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
