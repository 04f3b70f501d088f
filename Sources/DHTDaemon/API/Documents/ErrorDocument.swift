/// The body of every error answer of the control API: `{"error": {"code": "...", "message": "..."}}`.
public struct ErrorDocument: Codable, Hashable, Sendable {
    /// The error.
    public struct Detail: Codable, Hashable, Sendable {
        /// A stable, machine-readable name, for example `unauthorized` or `value_too_large`.
        public var code: String
        /// A sentence for the user.
        public var message: String

        /// Creates a detail.
        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// The error.
    public var error: Detail

    /// Creates a document.
    public init(code: String, message: String) {
        self.error = Detail(code: code, message: message)
    }
}
