/// A first-in first-out queue with amortized O(1) push and pop: an array and a head index, compacted when half of
/// it is consumed. The server's round-robin ring of peers.
struct RingQueue<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    private var head = 0

    /// The number of queued elements.
    var count: Int { storage.count - head }
    /// Whether the queue is empty.
    var isEmpty: Bool { head == storage.count }
    /// The element at the front.
    var first: Element? { isEmpty ? nil : storage[head] }

    /// Adds an element at the back.
    mutating func append(_ element: Element) { storage.append(element) }

    /// Removes and returns the element at the front.
    @discardableResult
    mutating func removeFirst() -> Element? {
        guard !isEmpty else { return nil }
        let element = storage[head]
        head += 1
        if head >= 64 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }
}
