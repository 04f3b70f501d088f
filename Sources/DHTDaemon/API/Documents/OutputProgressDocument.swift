/// One line of the `POST /v1/get/{cid}` answer (JSON lines): how far the file is written, then, in the last line,
/// whether it is complete (`done`) or why it failed (`error`).
public struct OutputProgressDocument: Codable, Hashable, Sendable {
    /// File bytes received so far (written, or about to be).
    public var bytes: UInt64
    /// The file's size, once known (its root arrived).
    public var fileSize: UInt64?
    /// In the last line: the file is complete, synced and renamed to its name.
    public var done: Bool?
    /// In the last line: why the file was not written (the temporary file is removed).
    public var error: ErrorDocument.Detail?

    /// Creates a line.
    public init(bytes: UInt64, fileSize: UInt64?, done: Bool? = nil, error: ErrorDocument.Detail? = nil) {
        self.bytes = bytes
        self.fileSize = fileSize
        self.done = done
        self.error = error
    }
}
