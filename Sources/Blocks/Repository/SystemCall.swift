#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The C library calls whose names the store's own wrappers (``POSIX``) reuse, reached through the platform's
/// module so that the wrappers' names do not shadow them.
enum SystemCall {
    #if canImport(Glibc)
    static func open(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 { Glibc.open(path, flags, mode) }
    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Glibc.read(fd, buffer, count) }
    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Glibc.write(fd, buffer, count) }
    static func pwrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, _ offset: off_t) -> Int {
        Glibc.pwrite(fd, buffer, count, offset)
    }
    static func close(_ fd: Int32) -> Int32 { Glibc.close(fd) }
    static func fsync(_ fd: Int32) -> Int32 { Glibc.fsync(fd) }
    static func rename(_ from: UnsafePointer<CChar>, _ to: UnsafePointer<CChar>) -> Int32 { Glibc.rename(from, to) }
    static func unlink(_ path: UnsafePointer<CChar>) -> Int32 { Glibc.unlink(path) }
    #elseif canImport(Darwin)
    static func open(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 { Darwin.open(path, flags, mode) }
    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Darwin.read(fd, buffer, count) }
    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Darwin.write(fd, buffer, count) }
    static func pwrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, _ offset: off_t) -> Int {
        Darwin.pwrite(fd, buffer, count, offset)
    }
    static func close(_ fd: Int32) -> Int32 { Darwin.close(fd) }
    static func fsync(_ fd: Int32) -> Int32 { Darwin.fsync(fd) }
    static func rename(_ from: UnsafePointer<CChar>, _ to: UnsafePointer<CChar>) -> Int32 { Darwin.rename(from, to) }
    static func unlink(_ path: UnsafePointer<CChar>) -> Int32 { Darwin.unlink(path) }
    #endif
}
