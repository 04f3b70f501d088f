import Blocks
import Foundation
import DHTDaemon
import NIOCore
import Synchronization

/// `dhtnode add` through a running daemon, which holds the repository: the same output as the direct import, the
/// blocks written by the daemon.
extension AddCommand {
    /// Bytes per piece sent to the daemon.
    static var uploadPieceBytes: Int { BlockRepository.importPieceBytes }

    /// Has the daemon read a regular file itself (`POST /v1/add/file`): its bytes cross no socket, and the daemon
    /// copies them into one packed file while it hashes them on every core. When the daemon cannot read the file
    /// (it runs as another user) or it is not a regular file (a pipe), streams it instead.
    func addFileThroughDaemon(_ client: ControlClient, profile: ImportProfile) async throws {
        let input = try InputFile(path: path)
        // The daemon opens the file by its real path (`/dev/stdin` redirected from a file names that file).
        let target = input.size == nil ? nil : Self.realPath(path)
        if nocopy && target == nil { throw CLIError("--nocopy adds a regular file; \(path) is not one") }
        if let size = input.size, let target {
            input.close()
            let progress = SharedProgressBar(
                ProgressBar(label: "add", total: size, enabled: !quiet && !repo.json && FileOutput.standardErrorIsTerminal)
            )
            do {
                let added = try await client.addFile(
                    path: target, profile: self.profile, chunkSize: chunkSize, pin: pin, nocopy: nocopy
                ) { line in progress.update(line.bytes) }
                progress.finish(added.size)
                printFile(added)
                return
            } catch let error as ControlClientError
                where !nocopy && (error.apiCode == "cannot_read" || error.apiCode == "not_a_file")
            {
                progress.finish(nil)
            } catch {
                progress.finish(nil)
                throw error
            }
            return try await streamFileToDaemon(client, input: InputFile(path: path))
        }
        try await streamFileToDaemon(client, input: input)
    }

    /// The absolute path of `path` with every symbolic link resolved, or `nil` (a pipe has none).
    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Streams the file to `POST /v1/add`; the daemon chunks, hashes, stores and pins it.
    private func streamFileToDaemon(_ client: ControlClient, input: InputFile) async throws {
        let progress = SharedProgressBar(
            ProgressBar(label: "add", total: input.size, enabled: !quiet && !repo.json && FileOutput.standardErrorIsTerminal)
        )
        let upload = UploadStream(reading: input, pieceBytes: Self.uploadPieceBytes) { progress.update($0) }
        let added = try await Self.sending(upload, progress: progress) {
            try await client.add(
                upload,
                length: input.size.map { Int64($0) },
                profile: self.profile,
                chunkSize: chunkSize,
                pin: pin
            )
        }
        progress.finish(added.size)
        printFile(added)
    }

    /// Builds the directory's DAG here and streams it to `POST /v1/car` as a CAR, which the daemon checks block
    /// by block, stores all or nothing and pins.
    ///
    /// A CAR names its root before its blocks, and a directory's root is its last block, so the tree is read
    /// twice: once for the root CID (and the entries to print), once to stream the blocks. The second pass must
    /// end at the same root, or the tree changed in between and the import is abandoned.
    func addDirectoryThroughDaemon(_ client: ControlClient, profile: ImportProfile) async throws {
        let importer = DirectoryTreeImporter(profile: profile, includeHidden: hidden)
        let showProgress = !quiet && !repo.json && FileOutput.standardErrorIsTerminal
        let total = showProgress ? importer.measure(path) : 0
        let progress = SharedProgressBar(
            ProgressBar(label: "add", total: showProgress ? total : nil, enabled: showProgress)
        )
        let path = self.path
        let rootName = Self.displayName(path)
        var entries: [DirectoryTreeImporter.AddedEntry] = []
        let first = try reportingErrors {
            try importer.importDirectory(
                at: path,
                rootName: rootName,
                emit: { _ in },
                added: { entries.append($0) },
                progress: { progress.update($0 / 2) }
            )
        }
        let upload = UploadStream { send in
            let header = CARHeader(roots: [first.root]).encoded()
            var piece = Varint.encode(UInt64(header.count)) + header
            let second = try reportingErrors {
                try importer.importDirectory(
                    at: path,
                    rootName: rootName,
                    emit: { block in
                        Varint.encode(UInt64(block.cid.byteCount + block.bytes.count), into: &piece)
                        block.cid.append(to: &piece)
                        piece += block.bytes
                        if piece.count >= Self.uploadPieceBytes {
                            try send(ByteBuffer(bytes: piece))
                            piece.removeAll(keepingCapacity: true)
                        }
                    },
                    progress: { progress.update(total / 2 + $0 / 2) }
                )
            }
            guard second.root == first.root else {
                throw CLIError("\(path) changed while it was being added; add it again")
            }
            if !piece.isEmpty { try send(ByteBuffer(bytes: piece)) }
        }
        let imported = try await Self.sending(upload, progress: progress) {
            try await client.importCAR(upload, length: nil, pin: pin)
        }
        progress.finish(first.fileSize)
        printDirectory(entries, blockCount: first.blockCount, profile: profile, announcement: imported.announcement)
        if !repo.json { Self.noteAnnouncement(imported.announcement, quiet: quiet) }
    }

    /// Runs the request that consumes `upload`, then stops its producer. When the request failed because the
    /// producer did (a read error, a tree that changed), that error is the one reported.
    private static func sending<T>(
        _ upload: UploadStream,
        progress: SharedProgressBar,
        _ request: () async throws -> T
    ) async throws -> T {
        do {
            let result = try await request()
            upload.cancel()
            return result
        } catch {
            upload.cancel()
            progress.finish(nil)
            if let failure = upload.failure, !(failure is CancellationError) { throw failure }
            throw error
        }
    }
}
