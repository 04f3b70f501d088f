import Blocks
import DHTDaemon
import NIOCore
import Synchronization

/// `dhtnode add` through a running daemon, which holds the repository: the same output as the direct import, the
/// blocks written by the daemon.
extension AddCommand {
    /// Bytes per piece sent to the daemon.
    static var uploadPieceBytes: Int { BlockRepository.importPieceBytes }

    /// Streams the file to `POST /v1/add`; the daemon chunks, hashes, stores and pins it.
    func addFileThroughDaemon(_ client: ControlClient, profile: ImportProfile) async throws {
        let input = try InputFile(path: path)
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
