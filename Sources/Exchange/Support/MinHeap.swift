/// A binary min-heap: O(log n) insert and pop, O(1) peek. Used for the server's per-peer queues and a fetch's
/// queue of blocks to request (the module depends on Blocks and DHTCrypto only, so no swift-collections).
struct MinHeap<Element: Comparable>: Sendable where Element: Sendable {
    private(set) var storage: [Element] = []

    /// The number of elements.
    var count: Int { storage.count }
    /// Whether the heap is empty.
    var isEmpty: Bool { storage.isEmpty }
    /// The smallest element.
    var min: Element? { storage.first }

    /// Adds an element.
    mutating func insert(_ element: Element) {
        storage.append(element)
        var child = storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard storage[child] < storage[parent] else { break }
            storage.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the smallest element.
    @discardableResult
    mutating func popMin() -> Element? {
        guard !storage.isEmpty else { return nil }
        if storage.count == 1 { return storage.removeLast() }
        let top = storage[0]
        storage[0] = storage.removeLast()
        var parent = 0
        let count = storage.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            var smallest = left
            if left + 1 < count && storage[left + 1] < storage[left] { smallest = left + 1 }
            guard storage[smallest] < storage[parent] else { break }
            storage.swapAt(smallest, parent)
            parent = smallest
        }
        return top
    }

    /// Keeps only the elements that satisfy `isIncluded` (O(n); for compacting lazily deleted entries).
    mutating func filter(_ isIncluded: (Element) -> Bool) {
        let kept = storage.filter(isIncluded)
        storage = []
        storage.reserveCapacity(kept.count)
        for element in kept { insert(element) }
    }
}
