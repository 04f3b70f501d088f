import AsyncHTTPClient
import Blocks
import Foundation
import NIOCore

extension ControlClient {
    /// `POST /v1/get/{cid}?output=PATH&partial=TEMP`: the daemon writes the file `root` to `output` (absolute) itself,
    /// through the temporary file `partial`; `progress` hears each line of its answer. Returns the last line, which
    /// says `done`.
    ///
    /// - Throws: ``ControlClientError`` with the daemon's `apiCode` (`cannot_write` when the daemon cannot create the
    ///   file, `not_a_file`, `unavailable`, …), also when the failure came after the status line.
    public func get(
        _ root: CID,
        output: String,
        partial: String,
        sources: HTTPSourceQuery = HTTPSourceQuery(),
        progress: (OutputProgressDocument) throws -> Void
    ) async throws -> OutputProgressDocument {
        func escaped(_ path: String) -> String {
            path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-._~"))) ?? path
        }
        let items = ["output=\(escaped(output))", "partial=\(escaped(partial))"] + sources.queryItems
        let response = try await streamedAnswer(makeRequest(.POST, "/v1/get/\(root)?" + items.joined(separator: "&")))
        var last: OutputProgressDocument?
        try await Self.forEachLine(of: response, as: OutputProgressDocument.self, answering: "get \(root)") { document in
            if let error = document.error { throw Self.failure(error) }
            try progress(document)
            last = document
            return true
        }
        guard let last, last.done == true else {
            throw ControlClientError(.badResponse, "the daemon's answer to get \(root) ended before the file was written")
        }
        return last
    }
}

extension ControlClient {
    /// `POST /v1/add/file?path=PATH`: the daemon adds the regular file at `path` (absolute) itself, copying it into
    /// its repository, or with `nocopy` keeping references into it; `progress` hears the bytes done so far. Returns
    /// the file as added.
    ///
    /// - Throws: ``ControlClientError`` with the daemon's `apiCode`: `cannot_read` (the daemon cannot open the file:
    ///   stream it to ``add(_:length:profile:chunkSize:pin:onlyHash:)`` instead), `not_a_file`, `file_changed`,
    ///   `disk_full`, …, also when the failure came after the status line.
    public func addFile(
        path: String,
        profile: String,
        chunkSize: Int?,
        pin: Bool,
        nocopy: Bool = false,
        progress: (AddProgressDocument) throws -> Void
    ) async throws -> AddDocument {
        let escaped =
            path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-._~"))) ?? path
        var query = "path=\(escaped)&profile=\(profile)&pin=\(pin)&nocopy=\(nocopy)"
        if let chunkSize { query += "&chunk-size=\(chunkSize)" }
        let response = try await streamedAnswer(makeRequest(.POST, "/v1/add/file?\(query)"))
        var added: AddDocument?
        try await Self.forEachLine(of: response, as: AddProgressDocument.self, answering: "add \(path)") { document in
            if let error = document.error { throw Self.failure(error) }
            try progress(document)
            added = document.added
            return added == nil
        }
        guard let added else {
            throw ControlClientError(.badResponse, "the daemon's answer to add \(path) ended before the file was added")
        }
        return added
    }
}

extension ControlClient {
    /// Hands each JSON line of `response` to `handle`, decoded, until it returns `false` or the answer ends.
    /// `request` names the request in errors: an answer that is not JSON lines, or that stops.
    static func forEachLine<Document: Decodable>(
        of response: HTTPClientResponse,
        as type: Document.Type,
        answering request: String,
        _ handle: (Document) throws -> Bool
    ) async throws {
        let decoder = JSONDecoder()
        var pending: [UInt8] = []
        do {
            for try await piece in response.body {
                pending.append(contentsOf: piece.readableBytesView)
                while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Data(pending[..<end])
                    pending.removeSubrange(...end)
                    guard try handle(try decoder.decode(Document.self, from: line)) else { return }
                }
            }
        } catch let error as ControlClientError {
            throw error
        } catch let error as DecodingError {
            throw ControlClientError(.badResponse, "the daemon's answer to \(request) is not JSON lines: \(error)")
        } catch {
            throw ControlClientError(.unreachable, "the daemon stopped answering \(request): \(error)")
        }
    }

    /// The error a JSON line's `error` names, as if it had come with the status line.
    static func failure(_ detail: ErrorDocument.Detail) -> ControlClientError {
        ControlClientError(
            .refused, status: 200, apiCode: detail.code, UntrustedText.controlsEscaped(detail.message, limit: 4096))
    }
}
