import Blocks
import DHTNode
import Foundation
import Hummingbird
import NIOCore

/// `POST /v1/add/file?path=PATH&profile=P&chunk-size=N&pin=B&nocopy=B`: the daemon adds the regular file at PATH
/// (absolute) itself, for a client on the same machine (`dhtnode add FILE`), so that its bytes cross no socket and
/// are written once, into a packed file, or with `nocopy` not at all: the leaves stay in the user's file
/// (``BlockRepository/add(file:profile:pin:nocopy:progress:)``).
///
/// A file the daemon cannot open is answered before anything else (403 `cannot_read`, 400 `not_a_file`): the client
/// then streams the bytes to `POST /v1/add`. Once the status went out, the body is JSON lines of
/// ``AddProgressDocument``, at most about ten a second, the last one with `added` or `error`. A client that goes away
/// does not stop the import (it is short, and leaves a consistent repository either way).
extension BlockController {
    func addFile(_ request: Request) async throws -> Response {
        guard let path = request.uri.queryParameters.get("path").map({ String($0) }), path.hasPrefix("/") else {
            throw APIError.badRequest("path must be an absolute path")
        }
        let profile = try Self.profile(request)
        let pin = try Self.flag(request, "pin", default: true)
        let nocopy = try Self.flag(request, "nocopy", default: false)
        let repository = repository
        let source = try await Self.calling { try await repository.openForAdding(path) }
        let node = node
        return Response(
            status: .ok,
            headers: [.contentType: "application/x-ndjson"],
            body: ResponseBody { writer in
                let size = source.size
                try await writer.write(try JSONLines.line(AddProgressDocument(bytes: 0, fileSize: size)))
                let (updates, progress) = AsyncStream.makeStream(of: UInt64.self, bufferingPolicy: .bufferingNewest(1))
                // A child of this answer's task, so that it is awaited (and cancelled) with it.
                async let importing: BlockRepository.AddResult = {
                    defer { progress.finish() }
                    return try await repository.add(file: source, profile: profile, pin: pin, nocopy: nocopy) {
                        progress.yield($0)
                    }
                }()
                // A line per update, at most about ten a second; a client gone meanwhile does not stop the import.
                var reported = ContinuousClock.now
                var done: UInt64 = 0
                for await bytes in updates {
                    done = bytes
                    guard reported.duration(to: .now) >= .milliseconds(100) else { continue }
                    reported = .now
                    try? await writer.write(try JSONLines.line(AddProgressDocument(bytes: bytes, fileSize: size)))
                }
                let last: AddProgressDocument
                do {
                    let added = try await importing
                    var announcement = Announcement.none
                    if let node { announcement = await RootAnnouncer(node: node).announce([added.result.root]) }
                    let document = AddDocument(
                        added.result,
                        profile: profile,
                        pinned: added.pinned,
                        announcement: announcement
                    )
                    last = AddProgressDocument(bytes: size, fileSize: size, added: document)
                } catch {
                    let failure = APIError(repositoryError: error)
                    last = AddProgressDocument(
                        bytes: done,
                        fileSize: size,
                        error: .init(code: failure.code, message: failure.message)
                    )
                }
                try await writer.write(try JSONLines.line(last))
                try await writer.finish(nil)
            }
        )
    }
}
