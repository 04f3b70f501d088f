#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh folder from `mkdtemp`, removed with everything in it when `body` returns.
@discardableResult
func withTemporaryFolder<R>(_ body: (String) throws -> R) throws -> R {
    let folder = try makeTemporaryFolder()
    defer { removeFolder(folder) }
    return try body(folder)
}

/// A fresh folder from `mkdtemp`, removed with everything in it when `body` returns (async bodies).
@discardableResult
func withAsyncTemporaryFolder<R>(_ body: (String) async throws -> R) async throws -> R {
    let folder = try makeTemporaryFolder()
    defer { removeFolder(folder) }
    return try await body(folder)
}

/// A fresh folder from `mkdtemp`.
func makeTemporaryFolder() throws -> String {
    var template = Array("/tmp/dhtdaemon-tests-XXXXXX".utf8CString)
    let folder = try template.withUnsafeMutableBufferPointer { buffer -> String in
        guard let base = buffer.baseAddress, let result = mkdtemp(base) else {
            throw TestFileError(message: "mkdtemp failed: errno \(errno)")
        }
        return String(cString: result)
    }
    return folder
}

/// The names in `folder`, without `.` and `..`.
func folderEntries(_ folder: String) -> [String] {
    guard let directory = opendir(folder) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}

/// Removes `folder` and everything under it, however deep (a block repository is three levels); a symbolic link
/// is removed, not followed.
func removeFolder(_ folder: String) {
    for name in folderEntries(folder) {
        let path = folder + "/" + name
        var info = stat()
        if lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
            removeFolder(path)
        } else {
            _ = unlink(path)
        }
    }
    _ = rmdir(folder)
}

/// Creates (or truncates) `path` holding `bytes`, with exactly `mode`.
func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard descriptor >= 0 else { throw TestFileError(message: "open \(path) failed: errno \(errno)") }
    defer { close(descriptor) }
    guard fchmod(descriptor, mode) == 0 else { throw TestFileError(message: "fchmod failed: errno \(errno)") }
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    guard written == bytes.count else { throw TestFileError(message: "write \(path) failed: errno \(errno)") }
}

/// Reads all of `path`.
func readFile(_ path: String) throws -> [UInt8] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw TestFileError(message: "open \(path) failed: errno \(errno)") }
    defer { close(descriptor) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw TestFileError(message: "read \(path) failed: errno \(errno)") }
        if count == 0 { return out }
        out += chunk[0..<count]
    }
}

/// The permission bits of `path`.
func fileMode(_ path: String) throws -> mode_t {
    var info = stat()
    guard stat(path, &info) == 0 else { throw TestFileError(message: "stat \(path) failed: errno \(errno)") }
    return info.st_mode & 0o7777
}

/// A failed set-up step in a test.
struct TestFileError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
