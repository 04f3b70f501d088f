/// Why an identity file could not be saved, loaded or parsed.
///
/// Match on ``code``; ``description`` is a sentence for the operator that names the file, says what is wrong and,
/// where there is one, how to fix it. Descriptions never quote the file's contents, which hold a secret.
public struct IdentityFileError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, for matching: a struct around a private enum, so new kinds can be added later.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case fileMissing
            case fileExists
            case notRegularFile
            case permissionsTooOpen
            case fileTooLarge
            case badHeader
            case missingSeed
            case badHex
            case wrongSeedLength
            case wrongPublicKeyLength
            case publicKeyMismatch
            case unexpectedContent
            case ioError
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// There is no file at the path.
        public static let fileMissing = Code(.fileMissing)
        /// Saving would replace an existing file, and overwriting was not asked for.
        public static let fileExists = Code(.fileExists)
        /// The path names a directory, device, socket or pipe rather than a regular file.
        public static let notRegularFile = Code(.notRegularFile)
        /// Group or others may read or write the file (`mode & 0o077 != 0`).
        public static let permissionsTooOpen = Code(.permissionsTooOpen)
        /// The file is larger than ``IdentityFile/maximumByteCount``.
        public static let fileTooLarge = Code(.fileTooLarge)
        /// Line 1 is not ``IdentityFile/header``.
        public static let badHeader = Code(.badHeader)
        /// The file ends after the header: there is no seed line.
        public static let missingSeed = Code(.missingSeed)
        /// A key line holds a character that is not a hexadecimal digit.
        public static let badHex = Code(.badHex)
        /// The seed line is not 64 hexadecimal characters (32 bytes).
        public static let wrongSeedLength = Code(.wrongSeedLength)
        /// The public-key line is not 64 hexadecimal characters (32 bytes).
        public static let wrongPublicKeyLength = Code(.wrongPublicKeyLength)
        /// The public key in the file is not the one derived from the seed.
        public static let publicKeyMismatch = Code(.publicKeyMismatch)
        /// There is more after the public-key line.
        public static let unexpectedContent = Code(.unexpectedContent)
        /// A system call failed; ``IdentityFileError/errno`` says why.
        public static let ioError = Code(.ioError)

        /// The name of the kind, as written in code.
        public var description: String {
            switch base {
            case .fileMissing: "fileMissing"
            case .fileExists: "fileExists"
            case .notRegularFile: "notRegularFile"
            case .permissionsTooOpen: "permissionsTooOpen"
            case .fileTooLarge: "fileTooLarge"
            case .badHeader: "badHeader"
            case .missingSeed: "missingSeed"
            case .badHex: "badHex"
            case .wrongSeedLength: "wrongSeedLength"
            case .wrongPublicKeyLength: "wrongPublicKeyLength"
            case .publicKeyMismatch: "publicKeyMismatch"
            case .unexpectedContent: "unexpectedContent"
            case .ioError: "ioError"
            }
        }
    }

    enum Detail: Sendable {
        case fileMissing
        case fileExists
        case notRegularFile(mode: UInt32)
        case permissionsTooOpen(mode: UInt32)
        case fileTooLarge(byteCount: Int)
        case badHeader
        case missingSeed
        case badHex(line: Int, offset: Int)
        case wrongSeedLength(hexCharacters: Int)
        case wrongPublicKeyLength(hexCharacters: Int)
        case publicKeyMismatch(derived: Ed25519PublicKey, inFile: [UInt8])
        case unexpectedContent(line: Int)
        case ioError(operation: String, errno: Int32)
    }

    let detail: Detail

    /// The file concerned, or `nil` when bytes were parsed with ``IdentityFile/parse(_:)`` alone.
    public let path: String?

    init(_ detail: Detail, path: String?) {
        self.detail = detail
        self.path = path
    }

    /// The same error, about the file at `path`.
    func at(_ path: String) -> IdentityFileError {
        IdentityFileError(detail, path: path)
    }

    /// The kind of failure.
    public var code: Code {
        switch detail {
        case .fileMissing: .fileMissing
        case .fileExists: .fileExists
        case .notRegularFile: .notRegularFile
        case .permissionsTooOpen: .permissionsTooOpen
        case .fileTooLarge: .fileTooLarge
        case .badHeader: .badHeader
        case .missingSeed: .missingSeed
        case .badHex: .badHex
        case .wrongSeedLength: .wrongSeedLength
        case .wrongPublicKeyLength: .wrongPublicKeyLength
        case .publicKeyMismatch: .publicKeyMismatch
        case .unexpectedContent: .unexpectedContent
        case .ioError: .ioError
        }
    }

    /// The file's permission bits (e.g. `0o644`) for ``Code/permissionsTooOpen`` and ``Code/notRegularFile``.
    public var mode: UInt32? {
        switch detail {
        case .permissionsTooOpen(let mode), .notRegularFile(let mode): mode
        default: nil
        }
    }

    /// The 1-based line and the 0-based byte offset within it of a ``Code/badHex`` character.
    public var position: (line: Int, offset: Int)? {
        if case .badHex(let line, let offset) = detail { return (line, offset) }
        return nil
    }

    /// The `errno` of a failed system call, for ``Code/ioError``.
    public var errno: Int32? {
        if case .ioError(_, let errno) = detail { return errno }
        return nil
    }

    /// A sentence saying what was wrong with which file and, where possible, how to fix it.
    public var description: String {
        let file = path.map { "identity file \($0)" } ?? "identity file"
        switch detail {
        case .fileMissing:
            return "\(file) does not exist"
        case .fileExists:
            return "\(file) already exists; refusing to overwrite a private key "
                + "(remove it first, or save with overwrite)"
        case .notRegularFile(let mode):
            return "\(file) is not a regular file (mode \(Self.octal(mode)))"
        case .permissionsTooOpen(let mode):
            let target = path.map(Self.shellQuoted) ?? "FILE"
            return "\(file) has mode \(Self.octal(mode & 0o777)), so group or others may read or write it; "
                + "a private key must be readable and writable by its owner only: run `chmod 600 \(target)`"
        case .fileTooLarge(let byteCount):
            return "\(file) is \(byteCount) bytes, larger than the \(IdentityFile.maximumByteCount) bytes "
                + "a key file can be; this is not an identity file"
        case .badHeader:
            return "\(file): line 1 is not `\(IdentityFile.header)`; "
                + "this is not a swift-dht identity file, or a newer version wrote it"
        case .missingSeed:
            return "\(file): line 2, the 64-hex-character seed, is missing"
        case .badHex(let line, let offset):
            return "\(file): line \(line) has a character that is not a hex digit at offset \(offset)"
        case .wrongSeedLength(let count):
            return "\(file): the seed on line 2 must be 64 hex characters (32 bytes), found \(count) characters"
        case .wrongPublicKeyLength(let count):
            return "\(file): the public key on line 3 must be 64 hex characters (32 bytes), "
                + "found \(count) characters"
        case .publicKeyMismatch(let derived, let inFile):
            return "\(file): line 3 says the public key is \(Hex.encode(inFile)), but the seed gives "
                + "\(derived.hex); the file is corrupt or its lines come from different keys"
        case .unexpectedContent(let line):
            return "\(file): unexpected content on line \(line); an identity file has at most 3 lines"
        case .ioError(let operation, let errno):
            return "\(file): \(operation) failed: \(POSIX.errorText(errno)) (errno \(errno))"
        }
    }

    /// `mode` as four octal digits, e.g. `0644`.
    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// `path` as a single shell word: unchanged when it holds only safe characters, single-quoted otherwise.
    static func shellQuoted(_ path: String) -> String {
        let safe = path.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            case UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"),
                UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "@"):
                true
            default:
                false
            }
        }
        if safe && !path.isEmpty { return path }
        return "'" + path.replacing("'", with: "'\\''") + "'"
    }
}
