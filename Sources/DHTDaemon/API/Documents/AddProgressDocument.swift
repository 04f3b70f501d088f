/// A line of the answer to `POST /v1/add/file` (JSON lines): the bytes added so far, then in the last line the
/// file's ``AddDocument`` or why the import failed.
public struct AddProgressDocument: Codable, Hashable, Sendable {
    /// File bytes read, hashed and written so far.
    public var bytes: UInt64
    /// The file's size.
    public var fileSize: UInt64
    /// In the last line: the file as added (pinned and announced as asked).
    public var added: AddDocument?
    /// In the last line: why nothing was added.
    public var error: ErrorDocument.Detail?

    /// Creates a line.
    public init(bytes: UInt64, fileSize: UInt64, added: AddDocument? = nil, error: ErrorDocument.Detail? = nil) {
        self.bytes = bytes
        self.fileSize = fileSize
        self.added = added
        self.error = error
    }
}
