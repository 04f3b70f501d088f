import Blocks

/// One time window of a swarm's rendezvous, and its session block (docs/PROTOCOL.md, "Session rendezvous").
///
/// The block's content is the UTF-8 text `Member of <swarm> Session: <N>`, with `N` the window's start in Unix
/// seconds (the time rounded down to a multiple of the window length). Every member computes the same block for the
/// same window, so its CID is where members of the swarm meet in the DHT: each provides it, and each looks up its
/// providers.
public struct SessionWindow: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The window's start, in Unix seconds: a multiple of the window length.
    public let start: Int64
    /// The swarm's name.
    public let swarm: String

    /// The window of `swarm` that contains `unixSeconds`, for windows `length` seconds long (at least 1).
    public init(containing unixSeconds: Int64, length: Int64, swarm: String) {
        let length = max(1, length)
        let floored = unixSeconds >= 0 ? unixSeconds / length : (unixSeconds - length + 1) / length
        self.start = floored * length
        self.swarm = swarm
    }

    /// The window that starts at `start`.
    public init(start: Int64, swarm: String) {
        self.start = start
        self.swarm = swarm
    }

    /// The session block's content: `Member of <swarm> Session: <start>`.
    public var content: [UInt8] { Array("Member of \(swarm) Session: \(start)".utf8) }

    /// The session block: its content as one raw block (CIDv1, raw codec, sha2-256).
    public var block: Block {
        // Block.maxByteCount (2 MiB) is the only reason this could throw; a swarm name is at most
        // ``RendezvousConfiguration/maxSwarmNameBytes`` (`Node.start` refuses an invalid one).
        do { return try Block(codec: .raw, hashing: content) } catch { preconditionFailure("session block: \(error)") }
    }

    /// The session block's CID.
    public var cid: CID { block.cid }

    /// The window `count` windows of `length` seconds later (earlier for a negative count).
    public func advanced(by count: Int64, length: Int64) -> SessionWindow {
        SessionWindow(start: start + count * max(1, length), swarm: swarm)
    }

    public static func < (lhs: SessionWindow, rhs: SessionWindow) -> Bool { lhs.start < rhs.start }

    public var description: String { "\(swarm)@\(start)" }
}
