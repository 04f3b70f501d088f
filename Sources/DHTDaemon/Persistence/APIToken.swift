import DHTCrypto
import Foundation

/// The control API's bearer token: 32 random bytes as 64 lowercase hex digits, kept in `api-token` (mode 0600).
///
/// The daemon makes a new one at every start, so a token copied from an earlier run stops working. Only the
/// owner of the data directory can read it, and so only the owner can drive the daemon.
public struct APIToken: Hashable, Sendable, CustomStringConvertible {
    /// Bytes of randomness in a token.
    public static let byteCount = 32

    /// The token as sent in `Authorization: Bearer <text>`.
    public let text: String

    /// Wraps an existing token's text.
    public init(text: String) {
        self.text = text
    }

    /// A new random token.
    public static func generate() -> APIToken {
        APIToken(text: Hex.encode(SecureRandom.bytes(byteCount)))
    }

    /// Whether `candidate` is this token, compared in constant time.
    public func matches(_ candidate: some StringProtocol) -> Bool {
        ConstantTime.equals(Array(text.utf8), Array(candidate.utf8))
    }

    /// Writes the token to `path` with mode 0600, replacing any earlier one atomically.
    public func save(to path: String) throws(PersistenceError) {
        try POSIXFile.writeAtomically(Array((text + "\n").utf8), to: path, mode: 0o600)
    }

    /// Reads the token in `path`.
    ///
    /// - Throws: ``PersistenceError`` ``PersistenceError/Code/missing``, ``PersistenceError/Code/io`` (for example
    ///   when another user's file cannot be read), or ``PersistenceError/Code/malformed``.
    public static func load(from path: String) throws(PersistenceError) -> APIToken {
        let bytes = try POSIXFile.readAll(path, limit: 1024)
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.utf8.count == 2 * byteCount, (try? Hex.decode(text)) != nil else {
            throw PersistenceError(.malformed, path: path, reason: "expected \(2 * byteCount) hex digits")
        }
        return APIToken(text: text)
    }

    /// Never shows the secret.
    public var description: String { "APIToken(…)" }
}
