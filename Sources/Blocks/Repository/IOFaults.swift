/// Failures injected into the on-disk store's file operations, so tests can see what a failing disk does
/// (the seam that stands in for ENOSPC or EIO where a small full filesystem cannot be mounted).
///
/// Each closure gets the path about to be written or synced and returns an errno value to fail with, or `nil`
/// to let the call go ahead. A failed write first writes half of its bytes, as a full disk does.
struct IOFaults: Sendable {
    /// Called before each write of block or metadata bytes.
    var writeError: (@Sendable (_ path: String) -> Int32?)?
    /// Called before each fsync.
    var fsyncError: (@Sendable (_ path: String) -> Int32?)?

    /// No injected failures.
    static let none = IOFaults()
}
