/// Starting a file's writeback early, for writers outside the repository that sync a large file at the end (the
/// daemon's `get -o` output): the disk works while later bytes are still being written, so the final fsync waits
/// for the tail only.
public enum DiskWriteback {
    /// Asks the kernel to start writing the dirty pages of `descriptor` to the disk now, without waiting for them
    /// (Linux `sync_file_range`; elsewhere nothing). It can wait while the device is congested.
    public static func start(descriptor: Int32) {
        POSIX.startWriteback(descriptor)
    }
}
