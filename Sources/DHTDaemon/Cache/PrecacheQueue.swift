import Blocks

/// The daemon's precache requests as a state machine without I/O: which DAGs wait, which are being fetched, and
/// how the last ones ended. The shell (``PrecacheService``) starts the fetches it names and reports how they ended.
///
/// Rules:
/// - At most ``maxRunning`` fetches run at once; the others wait in the order they were asked for.
/// - A root already waiting or running is not queued twice (the request gets the same item).
/// - At most ``maxWaiting`` wait; past that a request is refused (``Refusal/full``).
/// - The last ``maxFinished`` finished items are kept for `--status`, older ones forgotten.
struct PrecacheQueue: Sendable {
    static let maxRunning = 2
    static let maxWaiting = 1024
    static let maxFinished = 64

    /// One request.
    struct Item: Sendable, Hashable {
        enum State: Sendable, Hashable {
            case waiting
            case running
            case done(blocks: UInt64, bytes: UInt64)
            case failed(String)
        }

        var id: UInt64
        var root: CID
        var state: State
        /// When it was asked for and when it finished (seconds since 1970; the shell's clock).
        var queuedAt: Int64
        var finishedAt: Int64?

        var isFinished: Bool {
            switch state {
            case .waiting, .running: false
            case .done, .failed: true
            }
        }
    }

    /// Why a request was refused.
    enum Refusal: Error, Hashable {
        /// ``maxWaiting`` requests wait already.
        case full
    }

    private var nextID: UInt64 = 1
    /// Waiting and running items, in the order asked.
    private(set) var active: [Item] = []
    /// Finished items, oldest first.
    private(set) var finished: [Item] = []

    /// Every item: running, waiting, then finished (newest first).
    var items: [Item] { active.filter { $0.state == .running } + active.filter { $0.state == .waiting } + finished.reversed() }

    /// Asks for `root`; returns its item's ID and the fetches to start now.
    mutating func enqueue(_ root: CID, now: Int64) throws(Refusal) -> (id: UInt64, start: [Item]) {
        if let existing = active.first(where: { $0.root.multihash == root.multihash }) { return (existing.id, []) }
        guard active.count(where: { $0.state == .waiting }) < Self.maxWaiting else { throw .full }
        let item = Item(id: nextID, root: root, state: .waiting, queuedAt: now)
        nextID += 1
        active.append(item)
        return (item.id, startWaiting())
    }

    /// The fetch of item `id` ended (`failure` nil: it completed); returns the fetches to start now.
    mutating func finish(_ id: UInt64, blocks: UInt64, bytes: UInt64, failure: String?, now: Int64) -> [Item] {
        guard let index = active.firstIndex(where: { $0.id == id }) else { return [] }
        var item = active.remove(at: index)
        item.state = failure.map { .failed($0) } ?? .done(blocks: blocks, bytes: bytes)
        item.finishedAt = now
        finished.append(item)
        if finished.count > Self.maxFinished { finished.removeFirst(finished.count - Self.maxFinished) }
        return startWaiting()
    }

    /// The item `id`, wherever it is; `nil` when unknown or forgotten.
    func item(_ id: UInt64) -> Item? {
        active.first { $0.id == id } ?? finished.last { $0.id == id }
    }

    private mutating func startWaiting() -> [Item] {
        var started: [Item] = []
        var running = active.count(where: { $0.state == .running })
        for index in active.indices where running < Self.maxRunning && active[index].state == .waiting {
            active[index].state = .running
            running += 1
            started.append(active[index])
        }
        return started
    }
}
