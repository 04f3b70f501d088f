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
