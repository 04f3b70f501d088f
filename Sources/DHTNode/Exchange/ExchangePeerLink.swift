import Exchange
import NIOCore

/// What an ``ExchangeNode`` holds for one open connection: the queue its writer drains and the channel to close.
///
/// The queue is an unbounded `AsyncStream`, bounded in practice by the core: block messages only go out while
/// less than ``Exchange/ExchangeConfiguration/maxOutstandingBytesPerPeer`` bytes wait for the peer (the writer
/// reports each written message back), and the other messages are small and capped by wantlist sizes.
struct ExchangePeerLink: Sendable {
    /// Tells this connection from a later one to the same peer.
    let generation: UInt64
    /// Messages for the writer, in directive order.
    let outgoing: AsyncStream<ExchangeMessage>.Continuation
    /// The connection's NIO channel, closed to end the link (its reader then stops).
    let channel: any Channel

    /// Stops the writer and closes the connection.
    func close() {
        outgoing.finish()
        channel.close(promise: nil)
    }
}
