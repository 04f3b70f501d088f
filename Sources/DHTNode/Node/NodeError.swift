import Kademlia

/// Why a ``Node`` call failed.
public enum NodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The node is not running (not started yet, or stopped).
    case notRunning
    /// ``Node/start()`` was called twice.
    case alreadyStarted
    /// No listen address was configured.
    case noListenAddress
    /// A listen address could not be bound: the address, the transport (`UDP`, or `TCP` for the block exchange)
    /// and the system's reason (`address already in use`).
    case bindFailed(NodeAddress, transport: String, reason: String)
    /// The node runs as many operations as its core allows; try again later.
    case tooManyOperations
    /// Nobody answered: the routing table is empty or every contact failed.
    case noReachableNodes
    /// A bootstrap reached none of the given addresses.
    case bootstrapFailed(tried: Int)
    /// A value is larger than a datagram can carry.
    case valueTooLarge(bytes: Int, limit: Int)
    /// The rendezvous swarm name is empty, longer than ``Rendezvous/RendezvousConfiguration/maxSwarmNameBytes`` or
    /// holds a control character (``Rendezvous/RendezvousConfiguration/isValid``).
    case invalidSwarmName(String)
    /// The node was configured without ``NodeConfiguration/content``, so it exchanges no blocks.
    case noContentStore
    /// A fetch received no block for ``ContentConfiguration/unavailableTimeout``: no connected peer and no
    /// provider found in the DHT sent one. `bytesDelivered` file bytes had arrived before.
    case contentUnavailable(String, bytesDelivered: UInt64)
    /// No node that answered holds a valid record of the IPNS name (attached).
    case nameNotFound(String)
    /// A name's record is larger than a `PUT_RECORD` carries (``Kademlia/RecordLimits/maxRecordBytes``): its value
    /// is too long.
    case recordTooLarge(bytes: Int, limit: Int)
    /// The record could not be made (the reason is attached: an empty value, a lifetime past year 9999, ...).
    case invalidNameRecord(String)
    /// The node publishes as many names as it keeps (``Kademlia/RecordLimits/maxPublished``).
    case tooManyNames(limit: Int)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .notRunning: "the node is not running"
        case .alreadyStarted: "the node was already started"
        case .noListenAddress: "no listen address configured"
        case .bindFailed(let address, let transport, let reason): "cannot listen on \(transport) \(address): \(reason)"
        case .tooManyOperations: "the node is busy (too many operations at once); try again"
        case .noReachableNodes: "no node answered: the routing table is empty or every contact failed"
        case .bootstrapFailed(let tried): "none of the \(tried) bootstrap address(es) answered"
        case .valueTooLarge(let bytes, let limit): "value of \(bytes) bytes is larger than the limit of \(limit)"
        case .invalidSwarmName(let name):
            "swarm name '\(name.prefix(40))' must be 1 to 200 bytes without control characters"
        case .noContentStore: "the node has no block store (it runs the DHT only)"
        case .contentUnavailable(let cid, let delivered):
            delivered == 0
                ? "no peer sent \(cid): no connected peer has it and no provider was found in the DHT"
                : "fetch of \(cid) stalled after \(delivered) bytes: no peer sent a block for too long"
        case .nameNotFound(let name): "no node holds a valid record of /ipns/\(name)"
        case .recordTooLarge(let bytes, let limit):
            "the name's record is \(bytes) bytes, over the \(limit) bytes a DHT record carries: shorten the path"
        case .invalidNameRecord(let reason): "cannot make the name's record: \(reason)"
        case .tooManyNames(let limit): "this node already publishes \(limit) names"
        }
    }
}
