/// What a ``KademliaInstance`` asks its shell to do.
public enum KademliaDirective: Sendable {
    /// Send this message to this address.
    case send(KademliaMessage, to: NodeAddress)
    /// Call ``KademliaInstance/handleTimeout(_:now:)`` with this transaction at this instant, unless its answer
    /// arrived first (calling it anyway is harmless).
    case scheduleTimeout(TransactionID, at: DHTInstant)
    /// Call ``KademliaInstance/tick(now:)`` at this instant (a later directive replaces an earlier one).
    case scheduleTick(at: DHTInstant)
    /// A GET_PROVIDERS lookup heard of these providers, none reported before in it: a shell can connect to them
    /// before the lookup ends (its last answers may come from busy nodes). Every provider of the result of
    /// ``completed(_:_:)`` is reported once, at the latest just before it.
    case providersFound(OperationID, [Contact])
    /// An operation started with one of the instance's commands ended.
    case completed(OperationID, OperationResult)
}

/// Names an operation started with a command of ``KademliaInstance``.
public struct OperationID: Hashable, Sendable, CustomStringConvertible {
    /// A number unique within one instance.
    public var rawValue: UInt64

    /// Wraps a number.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// A short, human-readable form.
    public var description: String { "op\(rawValue)" }
}

/// How an operation ended.
public enum OperationResult: Sendable {
    /// A FIND_NODE, FIND_VALUE or GET_PROVIDERS lookup (also bucket refreshes).
    case lookup(LookupResult)
    /// A bootstrap: how many seed addresses answered, and the lookup of our own ID that followed.
    case bootstrap(seedsAnswered: Int, lookup: LookupResult?)
    /// A put, a provide or a put-record: the lookup for the key, then how many of the closest nodes accepted the
    /// record.
    case published(lookup: LookupResult, accepted: Int, asked: Int)
    /// A GET_RECORD lookup: the best valid record found and what the nodes answered.
    case resolved(RecordResolution)
    /// A ping: the contact that answered and the round trip, or `nil` when it did not answer.
    case ping(Contact?, rtt: Duration?)
    /// The operation was not started: the instance already runs ``KademliaConfiguration/maxOperations``.
    case refusedTooManyOperations
}
