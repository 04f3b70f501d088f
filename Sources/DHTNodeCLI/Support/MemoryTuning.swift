#if canImport(Glibc)
import Glibc
#endif

/// Allocator settings for the block commands.
///
/// Every block read or chunk imported is a fresh array of 256 KiB–1 MiB. glibc serves allocations that large
/// with `mmap` and returns them with `munmap`, so each block costs page faults on fresh zeroed pages: about a
/// third of `cat`'s time went to the kernel. Raising the mmap threshold above the largest block (and the trim
/// threshold with it) lets freed block buffers be reused from the heap. Peak memory is unchanged: only a few
/// blocks are alive at once.
enum MemoryTuning {
    static func forLargeBlocks() {
        #if canImport(Glibc)
        // The Glibc module does not export mallopt(3); look it up (a no-op where it is missing, as on musl).
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(-3, 8 << 20)  // M_MMAP_THRESHOLD (malloc.h)
        _ = mallopt(-1, 64 << 20)  // M_TRIM_THRESHOLD
        #endif
    }
}
