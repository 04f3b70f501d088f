import HeapModule

/// A priority queue of simulation events tuned for a discrete-event simulation: a ring of fixed-width time slots
/// (a calendar queue), with a heap for events beyond the ring's horizon.
///
/// Pops events in exactly the order of `SimulationEvent.<` (time, then sequence), as a heap would, but inserting
/// and popping cost O(1) amortised instead of O(log n): most events (deliveries, timeouts) land within a few
/// seconds of the present, and a slot is sorted only once, when the clock reaches it.
struct CalendarQueue {
    private let slotWidth: Int64
    private let mask: Int64
    private var slots: [[SimulationEvent]]
    /// The absolute number of the slot being consumed (time / slotWidth).
    private var current: Int64 = 0
    /// How far into the current slot's (sorted) events the queue has consumed.
    private var cursor = 0
    /// Whether the current slot's unconsumed events need sorting.
    private var unsorted = true
    private var overflow = Heap<SimulationEvent>()
    private(set) var count = 0

    /// - Parameters:
    ///   - slotWidth: nanoseconds per slot (1 ms by default).
    ///   - slotCountLog2: the ring holds 2^this slots (16,384 by default: a 16 s horizon at 1 ms).
    init(slotWidth: Int64 = 1_000_000, slotCountLog2: Int = 14) {
        self.slotWidth = slotWidth
        self.mask = (1 << Int64(slotCountLog2)) - 1
        self.slots = Array(repeating: [], count: 1 << slotCountLog2)
    }

    var isEmpty: Bool { count == 0 }

    /// The time of the first event, without removing it (`nil` when empty).
    var minimumTime: Int64? {
        mutating get {
            guard let event = popMin() else { return nil }
            pushFront(event)
            return event.time
        }
    }

    /// Puts back the event just popped, so it is popped next.
    private mutating func pushFront(_ event: SimulationEvent) {
        cursor -= 1
        count += 1
    }

    mutating func insert(_ event: SimulationEvent) {
        count += 1
        let slot = max(event.time / slotWidth, current)
        if slot > current + mask {
            overflow.insert(event)
            return
        }
        slots[Int(slot & mask)].append(event)
        if slot == current { unsorted = true }
    }

    mutating func popMin() -> SimulationEvent? {
        guard count > 0 else { return nil }
        while true {
            let index = Int(current & mask)
            if cursor < slots[index].count {
                if unsorted {
                    slots[index][cursor...].sort()
                    unsorted = false
                }
                let event = slots[index][cursor]
                cursor += 1
                count -= 1
                return event
            }
            // The slot is used up: move to the next one (or jump to the overflow's first event when the ring is
            // empty), pulling in overflow events that the horizon now reaches.
            slots[index] = []
            cursor = 0
            unsorted = true
            current += 1
            if count == overflow.count, let first = overflow.min {
                current = max(current, first.time / slotWidth)
            }
            while let first = overflow.min, first.time / slotWidth <= current + mask {
                let event = overflow.removeMin()
                slots[Int(max(event.time / slotWidth, current) & mask)].append(event)
            }
        }
    }
}
