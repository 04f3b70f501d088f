import Blocks

/// A message as a shell received it, with a `BLOCK`'s bytes already hashed against its CID.
///
/// The core hashes every block before it stores, passes on or yields it. Hashing is most of the CPU a fetch costs
/// (SHA-256 of every byte), and a shell that runs the core on one serial executor can do it on the connection's own
/// task instead, in parallel with the core: it wraps each decoded message in `ReceivedMessage(hashing:)` and hands it
/// to ``ExchangeInstance/handleMessage(_:from:now:source:)-(ReceivedMessage,_,_,_)``. The check travels as a
/// ``Blocks/Block`` (which can only exist for bytes that match their CID) or as the error that says they do not, so
/// the core's guarantee does not depend on the shell: no path builds a verified block without hashing.
///
/// A block that no fetch waits for was hashed for nothing; that costs CPU on the connection's task, not on the core.
public struct ReceivedMessage: Sendable {
    enum Content: Sendable {
        /// Not a `BLOCK`.
        case message(ExchangeMessage)
        /// A `BLOCK`, hashed: the verified block, or why its bytes are not the block (with their count).
        case block(CID, Result<Block, BlockError>, byteCount: Int)
    }

    let content: Content
    /// Whether the message came over a relayed connection (docs/PROTOCOL.md, "Relays"): a block's bytes then count
    /// as relayed in its fetch's statistics (``FetchStatistics/Contribution/relayedBytes``).
    public var relayed = false

    /// Wraps `message`; a `BLOCK`'s bytes are hashed now, on the caller's thread.
    public init(hashing message: ExchangeMessage) {
        guard case .block(let cid, let bytes) = message else {
            content = .message(message)
            return
        }
        content = .block(
            cid, Result { () throws(BlockError) in try Block(verifying: bytes, as: cid) }, byteCount: bytes.count)
    }

    /// The message's type.
    public var type: ExchangeMessageType { content.type }

    /// The byte count of a `BLOCK` (whether or not its bytes matched its CID); `nil` for any other message.
    public var blockByteCount: Int? {
        guard case .block(_, _, let byteCount) = content else { return nil }
        return byteCount
    }

    /// The message's encoded length, as ``ExchangeMessage/encodedCount``.
    public var encodedCount: Int { content.encodedCount }
}

extension ReceivedMessage.Content {
    var type: ExchangeMessageType {
        switch self {
        case .message(let message): message.type
        case .block: .block
        }
    }

    var encodedCount: Int {
        switch self {
        case .message(let message): message.encodedCount
        case .block(let cid, _, let byteCount): ExchangeMessage.blockHeaderCount(cid) + byteCount
        }
    }
}
