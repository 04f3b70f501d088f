import Exchange

/// Why an ``ExchangeNode`` refused a connection or a request.
public enum ExchangeNodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The exchange core refused the peer (banned, or over ``ExchangeConfiguration/maxPeers``); the connection
    /// was closed.
    case peerRefused(ExchangePeer, DisconnectReason)
    /// A connection to this peer is open already; the new one was closed.
    case alreadyConnected(ExchangePeer)
    /// The node was closed.
    case closed

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .peerRefused(let peer, let reason): "peer \(peer) refused: \(reason.rawValue)"
        case .alreadyConnected(let peer): "already connected to peer \(peer)"
        case .closed: "the exchange node is closed"
        }
    }
}
