import Blocks
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a UnixFS directory DAG to disk for `dhtnode get`, from the repository or through the daemon (a
/// ``FileTreeSource``): directories, files (streamed, every block verified) and symbolic links (created with their
/// stored target, never followed).
///
/// The tree is written into a fresh temporary folder next to the output and renamed to it only when every block
/// checked out, so a corrupt or missing block leaves the output path untouched. Entry names are checked by
/// ``UnixFSNode`` (no `/`, `.`, `..`, NUL or repeats) and files are created with `O_EXCL | O_NOFOLLOW`, so a hostile
/// DAG cannot write outside the folder, nor through a symlink it made. A symbolic link whose target is absolute or
/// climbs out of the folder is refused with an error naming it: the tree a user fetched must not point a later
/// reader at their own files. Names are written to disk as the DAG has them; errors show them escaped
/// (``UntrustedText``).
struct DirectoryTreeWriter<Source: FileTreeSource> {
    let source: Source
    private(set) var bytesWritten: UInt64 = 0
    private var progress: ProgressBar

    init(source: Source, progress: ProgressBar) {
        self.source = source
        self.progress = progress
    }

    /// Writes the directory `root` (whose entries are `entries`) to `output`, through a temporary folder.
    mutating func write(root: CID, entries: [DirectoryEntry], to output: String) async throws {
        let temporary = output + ".\(getpid()).partial"
        let interrupt = InterruptCleanup(removing: temporary)
        defer { interrupt.cancel() }
        do {
            try await writeDirectory(entries, at: temporary, depth: 0, shownAs: "")
            Self.flushFileSystem(containing: temporary)
            guard rename(temporary, output) == 0 else {
                let message = String(cString: strerror(errno))
                throw CLIError("cannot rename \(temporary) to \(output): \(message)")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            progress.finish(bytesWritten)
            throw error
        }
        progress.finish(bytesWritten)
    }

    private mutating func writeDirectory(
        _ entries: [DirectoryEntry],
        at path: String,
        depth: Int,
        shownAs shown: String
    ) async throws {
        guard mkdir(path, 0o755) == 0 else {
            let reason = String(cString: strerror(errno))
            throw CLIError("cannot create directory \(UntrustedText.escaped(path)): \(reason)")
        }
        for entry in entries {
            let child = path + "/" + entry.name
            let childShown = shown + "/" + entry.name
            switch try await source.node(entry.cid) {
            case .file: try await writeFile(entry.cid, at: child)
            case .directory(let grandchildren):
                try await writeDirectory(grandchildren, at: child, depth: depth + 1, shownAs: childShown)
            case .symlink(let target):
                guard Self.staysInside(target, depth: depth) else {
                    throw CLIError(
                        "\(entry.cid) (\(UntrustedText.escaped(String(childShown.dropFirst())))) is a symbolic link to "
                            + "\(UntrustedText.quoted(target)), outside the folder: not written")
                }
                guard symlink(target, child) == 0 else {
                    let reason = String(cString: strerror(errno))
                    throw CLIError("cannot create symbolic link \(UntrustedText.escaped(child)): \(reason)")
                }
            case .hamtShard:
                let shown = UntrustedText.escaped(child)
                throw CLIError("\(entry.cid) (\(shown)) is a HAMT-sharded directory, which is not supported yet")
            }
        }
    }

    private mutating func writeFile(_ cid: CID, at path: String) async throws {
        let shown = UntrustedText.escaped(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIError("cannot create \(shown): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try await source.readFile(cid, range: nil, start: { _ in }) { piece in
            try FileOutput.writeAll(fd, piece, name: shown)
            bytesWritten += UInt64(piece.count)
            progress.update(bytesWritten)
        }
    }

    /// Whether a link `target` read from a folder `depth` levels below the tree's top stays inside the tree: not
    /// absolute, and no `..` that climbs above the top (counted lexically, as the link's reader will resolve it).
    static func staysInside(_ target: String, depth: Int) -> Bool {
        guard !target.hasPrefix("/") else { return false }
        var level = depth
        for component in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                level -= 1
                if level < 0 { return false }
            default: level += 1
            }
        }
        return true
    }

    /// Makes everything written under `path` durable before the rename publishes it: one `sync(2)` for the whole
    /// tree rather than an fsync per file.
    private static func flushFileSystem(containing path: String) {
        sync()
    }
}
