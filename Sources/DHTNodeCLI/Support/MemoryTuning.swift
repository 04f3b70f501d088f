#if canImport(Glibc)
import Glibc
#endif

/// Allocator settings for the block commands and the daemon.
///
/// Every block read or chunk imported is a fresh array of 256 KiB–1 MiB. glibc serves allocations that large
/// with `mmap` and returns them with `munmap`, so each block costs page faults on fresh zeroed pages: about a
/// third of `cat`'s time went to the kernel. Raising the mmap threshold above the largest block (and the trim
/// threshold with it) lets freed block buffers be reused from the heap. Peak memory is unchanged: only a few
/// blocks are alive at once.
///
/// The daemon (`dhtnode run`) is set up the same way with a smaller trim threshold: it has more threads, hence more
/// malloc arenas that may each keep up to that much freed memory. Without it, a 4-seeder fetch spent about 12 % of
/// the fetcher's CPU in page faults and `madvise` (frames and read buffers of 256 KiB to 1 MiB, freed on another
/// thread than the one that allocated them).
enum MemoryTuning {
    /// For the one-shot block commands: up to 64 MiB of freed memory kept for reuse.
    static func forLargeBlocks() { tune(trimThreshold: 64 << 20) }

    /// For `dhtnode run`: up to 16 MiB of freed memory kept per arena.
    static func forDaemon() { tune(trimThreshold: 16 << 20) }

    private static func tune(trimThreshold: Int32) {
        #if canImport(Glibc)
        // The Glibc module does not export mallopt(3); look it up (a no-op where it is missing, as on musl).
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(-3, 8 << 20)  // M_MMAP_THRESHOLD (malloc.h)
        _ = mallopt(-1, trimThreshold)  // M_TRIM_THRESHOLD
        #endif
    }
}
