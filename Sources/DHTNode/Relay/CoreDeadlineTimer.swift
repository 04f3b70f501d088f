import Kademlia
import NIOCore

/// The one scheduled task that wakes a sans-I/O core at its next deadline: armed again only for an earlier one
/// (a later deadline waits for the tick that is already scheduled, which asks the core again).
struct CoreDeadlineTimer {
    private var scheduled: (task: Scheduled<Void>, at: DHTInstant)?

    /// Schedules `fire` on `eventLoop` at `deadline` (plus a millisecond, so the core finds it due), unless a task
    /// is scheduled for that instant or earlier.
    mutating func arm(for deadline: DHTInstant?, on eventLoop: any EventLoop, fire: @escaping @Sendable () -> Void) {
        guard let deadline else { return }
        if let scheduled, scheduled.at <= deadline { return }
        scheduled?.task.cancel()
        scheduled = (eventLoop.scheduleTask(deadline: NodeRuntime.deadline(deadline) + .milliseconds(1), fire), deadline)
    }

    /// The task ran.
    mutating func fired() { scheduled = nil }

    /// Cancels the task.
    mutating func cancel() {
        scheduled?.task.cancel()
        scheduled = nil
    }
}
