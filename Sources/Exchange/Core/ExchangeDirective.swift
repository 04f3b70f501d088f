import Blocks

/// What an ``ExchangeInstance`` asks its shell to do, in order.
public enum ExchangeDirective: Sendable {
    /// Send this message to this peer, one message per frame. When the channel has written it, call
    /// ``ExchangeInstance/sendCompleted(to:byteCount:now:source:)`` with ``ExchangeMessage/encodedCount``: the
    /// server's per-peer byte cap counts what was handed over and not yet written.
    case send(ExchangeMessage, to: ExchangePeer)
    /// Put this verified block into the block store (it was hashed against its CID).
    case store(Block)
    /// This verified leaf of a fetch started with `referencesLeaves` is not put into the block store: its file bytes
    /// are delivered at the reference's offset, and the shell that writes them to a file may keep the block as that
    /// reference (``Blocks/FileReference``) once the file is written.
    case referenceLeaf(FetchID, FileReference)
    /// The next bytes of a fetch, in file order, starting at this file offset. Verified before they get here.
    case deliver(FetchID, offset: UInt64, bytes: ArraySlice<UInt8>)
    /// The fetch is complete: every byte of its range was delivered.
    case completed(FetchID, FetchStatistics)
    /// The fetch failed and is over.
    case failed(FetchID, FetchFailure, FetchStatistics)
    /// Close the channel to this peer; with `bannedUntil`, refuse it until then (the core refuses it too).
    case disconnect(ExchangePeer, reason: DisconnectReason, bannedUntil: ExchangeInstant?)
    /// Call ``ExchangeInstance/tick(now:source:)`` at this instant (a later directive replaces an earlier one).
    case scheduleTick(at: ExchangeInstant)
}

/// Why the core asks to close a channel.
public enum DisconnectReason: String, Hashable, Sendable {
    /// The peer sent a block whose bytes do not hash to its CID.
    case invalidBlock = "invalid-block"
    /// The peer is banned.
    case banned
    /// The instance already tracks ``ExchangeConfiguration/maxPeers`` peers.
    case tooManyPeers = "too-many-peers"
    /// The peer's channel wrote none of the blocks waiting for it for ``ExchangeConfiguration/slowReaderTimeout``,
    /// or it was the peer stalled longest while stalled peers held more than
    /// ``ExchangeConfiguration/maxStalledBytesTotal``.
    case slowReader = "slow-reader"
}

/// Why a fetch failed.
public enum FetchFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// A block of the DAG hashed correctly but is not a UnixFS file node (or its sizes do not add up).
    case invalidDAG(CID, String)
    /// More blocks were known and pending than ``ExchangeConfiguration/maxPendingBlocksPerFetch``.
    case dagTooWide
    /// A block of the DAG lies deeper than a local read allows (``Blocks/FileDAGWalker/maxDepth``, 64 levels).
    case dagTooDeep(CID)
    /// The caller cancelled it.
    case cancelled
    /// ``ExchangeConfiguration/maxFetches`` fetches run already.
    case tooManyFetches

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .invalidDAG(let cid, let why): "block \(cid) is not a valid file node: \(why)"
        case .dagTooWide: "the DAG has too many pending blocks"
        case .dagTooDeep(let cid): "block \(cid) is deeper than \(FileDAGWalker.maxDepth) levels"
        case .cancelled: "cancelled"
        case .tooManyFetches: "too many fetches at once"
        }
    }
}

/// Names a fetch of one ``ExchangeInstance``.
public struct FetchID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// A number unique within the instance.
    public var rawValue: UInt64

    /// Wraps a number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Earlier fetches order first.
    public static func < (lhs: FetchID, rhs: FetchID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A short form.
    public var description: String { "fetch\(rawValue)" }
}
