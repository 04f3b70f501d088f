import Blocks
import DHTNode
import Synchronization

/// Announces the roots that an add or a CAR import stored as provided in the DHT, and tells the answer how that
/// went without holding it up for long: an add returns once its blocks are stored, whatever the DHT does.
///
/// A root whose announcement reaches nobody (no peers yet) stays queued in the node's DHT core, which announces it
/// as soon as the routing table gains a contact (``Announcement/queued``).
struct RootAnnouncer: Sendable {
    let node: Node
    /// How long the answer waits for the announcements before it says ``Announcement/announcing``.
    var patience: Duration = .seconds(2)

    /// Announces `roots` one after the other, in the background; returns when they are done or `patience` ran out.
    func announce(_ roots: [CID]) async -> Announcement {
        guard !roots.isEmpty else { return .none }
        let once = ResumeOnce()
        return await withCheckedContinuation { continuation in
            once.set(continuation)
            // The patience timer ends with the announcements; they outlive the answer, not the node (its stop ends
            // the operations they wait for).
            let timer = Task { [patience] in
                guard (try? await Task.sleep(for: patience)) != nil else { return }
                once.resume(.announcing)
            }
            Task { [node] in
                var outcome = Announcement.announced
                for root in roots {
                    do {
                        if try await node.provide(root).accepted == 0 { outcome = .queued }
                    } catch {
                        outcome = .queued
                        node.logger.info(
                            "announcement queued until the node has peers",
                            metadata: ["cid": "\(root)", "reason": "\(error)"]
                        )
                    }
                }
                timer.cancel()
                once.resume(outcome)
            }
        }
    }
}

/// A continuation resumed by whichever of two tasks comes first.
private final class ResumeOnce: Sendable {
    private let continuation = Mutex<CheckedContinuation<Announcement, Never>?>(nil)

    func set(_ continuation: CheckedContinuation<Announcement, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(_ announcement: Announcement) {
        continuation.withLock { waiting in
            waiting?.resume(returning: announcement)
            waiting = nil
        }
    }
}
