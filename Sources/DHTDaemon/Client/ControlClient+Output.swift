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
        let decoder = JSONDecoder()
        var pending: [UInt8] = []
        var last: OutputProgressDocument?
        do {
            for try await piece in response.body {
                pending.append(contentsOf: piece.readableBytesView)
                while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Data(pending[..<end])
                    pending.removeSubrange(...end)
                    let document = try decoder.decode(OutputProgressDocument.self, from: line)
                    if let error = document.error {
                        throw ControlClientError(
                            .refused, status: 200, apiCode: error.code,
                            UntrustedText.controlsEscaped(error.message, limit: 4096))
                    }
                    try progress(document)
                    last = document
                }
            }
        } catch let error as ControlClientError {
            throw error
        } catch let error as DecodingError {
            throw ControlClientError(.badResponse, "the daemon's answer to get \(root) is not JSON lines: \(error)")
        } catch {
            throw ControlClientError(.unreachable, "the daemon stopped answering get \(root): \(error)")
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
        let decoder = JSONDecoder()
        var pending: [UInt8] = []
        do {
            for try await piece in response.body {
                pending.append(contentsOf: piece.readableBytesView)
                while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Data(pending[..<end])
                    pending.removeSubrange(...end)
                    let document = try decoder.decode(AddProgressDocument.self, from: line)
                    if let error = document.error {
                        throw ControlClientError(
                            .refused, status: 200, apiCode: error.code,
                            UntrustedText.controlsEscaped(error.message, limit: 4096))
                    }
                    try progress(document)
                    if let added = document.added { return added }
                }
            }
        } catch let error as ControlClientError {
            throw error
        } catch let error as DecodingError {
            throw ControlClientError(.badResponse, "the daemon's answer to add \(path) is not JSON lines: \(error)")
        } catch {
            throw ControlClientError(.unreachable, "the daemon stopped answering add \(path): \(error)")
        }
        throw ControlClientError(.badResponse, "the daemon's answer to add \(path) ended before the file was added")
    }
}
