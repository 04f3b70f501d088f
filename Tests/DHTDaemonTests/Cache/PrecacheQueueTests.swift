import Testing

@testable import Blocks
@testable import DHTDaemon

@Suite("PrecacheQueue: background fetch requests")
struct PrecacheQueueTests {
    func root(_ n: Int) -> CID { (try! Block(codec: .raw, hashing: Array("root \(n)".utf8))).cid }

    @Test("two run at once, the rest wait in order and start as others end")
    func runsTwoAtATime() throws {
        var queue = PrecacheQueue()
        let first = try queue.enqueue(root(1), now: 0)
        let second = try queue.enqueue(root(2), now: 0)
        let third = try queue.enqueue(root(3), now: 0)
        #expect(first.start.map(\.root) == [root(1)])
        #expect(second.start.map(\.root) == [root(2)])
        #expect(third.start.isEmpty)
        #expect(queue.item(third.id)?.state == .waiting)
        let next = queue.finish(first.id, blocks: 4, bytes: 400, failure: nil, now: 5)
        #expect(next.map(\.root) == [root(3)])
        #expect(queue.item(first.id)?.state == .done(blocks: 4, bytes: 400))
        #expect(queue.item(first.id)?.finishedAt == 5)
        _ = queue.finish(second.id, blocks: 0, bytes: 0, failure: "unavailable", now: 6)
        #expect(queue.item(second.id)?.state == .failed("unavailable"))
        #expect(queue.items.map(\.root) == [root(3), root(2), root(1)])
    }

    @Test("a root waiting or running is not queued twice; a finished one may be asked for again")
    func deduplicates() throws {
        var queue = PrecacheQueue()
        let first = try queue.enqueue(root(1), now: 0)
        let again = try queue.enqueue(root(1), now: 1)
        #expect(again.id == first.id)
        #expect(again.start.isEmpty)
        _ = queue.finish(first.id, blocks: 1, bytes: 1, failure: nil, now: 2)
        let later = try queue.enqueue(root(1), now: 3)
        #expect(later.id != first.id)
    }

    @Test("the waiting list and the finished history are capped")
    func capped() throws {
        var queue = PrecacheQueue()
        for n in 0..<(PrecacheQueue.maxRunning + PrecacheQueue.maxWaiting) { _ = try queue.enqueue(root(n), now: 0) }
        #expect(throws: PrecacheQueue.Refusal.full) { try queue.enqueue(root(-1), now: 0) }
        var running = queue.items.filter { $0.state == .running }
        for _ in 0..<(PrecacheQueue.maxFinished + 5) {
            let item = running.removeFirst()
            running += queue.finish(item.id, blocks: 0, bytes: 0, failure: nil, now: 1)
        }
        #expect(queue.finished.count == PrecacheQueue.maxFinished)
    }
}
