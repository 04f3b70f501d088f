/// Why a file in the data directory could not be read or written.
///
/// Match on ``code``; ``description`` is one sentence for the operator that names the file and what went wrong.
public struct PersistenceError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure: a struct around a private enum, so that kinds can be added later.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case io
            case missing
            case malformed
            case permissionsTooOpen
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A system call failed (the system's message is in ``PersistenceError/reason``).
        public static let io = Code(.io)
        /// The file does not exist.
        public static let missing = Code(.missing)
        /// The file exists but its contents are not what this version writes.
        public static let malformed = Code(.malformed)
        /// Group or others may read the file, which holds a secret.
        public static let permissionsTooOpen = Code(.permissionsTooOpen)

        /// The kind's name.
        public var description: String {
            switch base {
            case .io: "io"
            case .missing: "missing"
            case .malformed: "malformed"
            case .permissionsTooOpen: "permissionsTooOpen"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// The file or folder concerned.
    public var path: String
    /// The details: the system's message, or what is malformed.
    public var reason: String

    /// Creates an error.
    public init(_ code: Code, path: String, reason: String) {
        self.code = code
        self.path = path
        self.reason = reason
    }

    /// One sentence for the operator.
    public var description: String {
        switch code {
        case .missing: "\(path) does not exist"
        case .malformed: "\(path) is malformed: \(reason)"
        case .permissionsTooOpen: "\(path) may be read by other users (\(reason)); run `chmod 600 \(path)`"
        default: "\(path): \(reason)"
        }
    }
}
