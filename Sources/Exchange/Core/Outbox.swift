import Blocks

/// Messages produced while the instance handles one event, batched per peer and type so that one event sends at
/// most one message of each list type to each peer (split at ``ExchangeMessage/maxEntries``).
struct Outbox: Sendable {
    struct Lists: Sendable {
        var wantHave: [ExchangeWant] = []
        var wantBlock: [ExchangeWant] = []
        var cancel: [CID] = []
        var have: [CID] = []
        var dontHave: [CID] = []
    }

    /// Peers in the order they were first given a list entry (deterministic output).
    private(set) var order: [ExchangePeer] = []
    private(set) var lists: [ExchangePeer: Lists] = [:]
    /// `BLOCK` messages, already counted by the server against its byte caps.
    var blocks: [(peer: ExchangePeer, message: ExchangeMessage)] = []

    private mutating func update(_ peer: ExchangePeer, _ body: (inout Lists) -> Void) {
        if lists[peer] == nil { order.append(peer) }
        body(&lists[peer, default: Lists()])
    }

    mutating func wantHave(_ want: ExchangeWant, to peer: ExchangePeer) { update(peer) { $0.wantHave.append(want) } }
    mutating func wantBlock(_ want: ExchangeWant, to peer: ExchangePeer) { update(peer) { $0.wantBlock.append(want) } }
    mutating func cancel(_ cid: CID, to peer: ExchangePeer) { update(peer) { $0.cancel.append(cid) } }
    mutating func have(_ cid: CID, to peer: ExchangePeer) { update(peer) { $0.have.append(cid) } }
    mutating func dontHave(_ cid: CID, to peer: ExchangePeer) { update(peer) { $0.dontHave.append(cid) } }

    /// The list messages in order: per peer, `CANCEL`, `HAVE`, `DONT_HAVE`, `WANT_BLOCK`, `WANT_HAVE`.
    func listMessages() -> [(peer: ExchangePeer, message: ExchangeMessage)] {
        var messages: [(peer: ExchangePeer, message: ExchangeMessage)] = []
        for peer in order {
            guard let lists = lists[peer] else { continue }
            Self.split(lists.cancel, peer, ExchangeMessage.cancel, into: &messages)
            Self.split(lists.have, peer, ExchangeMessage.have, into: &messages)
            Self.split(lists.dontHave, peer, ExchangeMessage.dontHave, into: &messages)
            Self.split(lists.wantBlock, peer, ExchangeMessage.wantBlock, into: &messages)
            Self.split(lists.wantHave, peer, ExchangeMessage.wantHave, into: &messages)
        }
        return messages
    }

    private static func split<Entry>(
        _ entries: [Entry],
        _ peer: ExchangePeer,
        _ make: ([Entry]) -> ExchangeMessage,
        into messages: inout [(peer: ExchangePeer, message: ExchangeMessage)]
    ) {
        var start = 0
        while start < entries.count {
            let end = min(start + ExchangeMessage.maxEntries, entries.count)
            messages.append((peer, make(Array(entries[start..<end]))))
            start = end
        }
    }
}
