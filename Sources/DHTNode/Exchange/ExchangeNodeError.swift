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
    /// The node at the address is not the one expected (its key hashes to `found`); the connection was closed.
    case unexpectedPeer(expected: ExchangePeer, found: ExchangePeer)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .peerRefused(let peer, let reason): "peer \(peer) refused: \(reason.rawValue)"
        case .alreadyConnected(let peer): "already connected to peer \(peer)"
        case .closed: "the exchange node is closed"
        case .unexpectedPeer(let expected, let found): "expected peer \(expected) but \(found) answered"
        }
    }
}
