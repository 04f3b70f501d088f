import CSodium

/// Reads and writes a node's identity (its Ed25519 seed) as a small text file.
///
/// ## Format (version 1)
///
/// ASCII text of two or three lines, each ended by `\n` (a `\r` before it is tolerated; the last line may lack its
/// `\n`):
///
/// 1. the header, exactly `swift-dht-ed25519-seed-v1`;
/// 2. the 32-byte seed as 64 hexadecimal digits (either case; written in lowercase);
/// 3. optional: the 32-byte public key as 64 hexadecimal digits. When present, loading derives the public key from
///    the seed and fails with ``IdentityFileError/Code/publicKeyMismatch`` if they differ, which catches a file
///    pieced together from two keys and tells a reader which node the file belongs to.
///
/// Nothing may follow line 3, and the whole file is at most ``maximumByteCount`` bytes. For example:
///
/// ```
/// swift-dht-ed25519-seed-v1
/// 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60
/// d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
/// ```
///
/// ## Permissions
///
/// The seed is the secret key, so ``save(_:to:overwrite:)`` creates the file with mode `0600` and
/// ``load(from:)`` refuses a file that group or others may read or write, as OpenSSH does for private keys.
public enum IdentityFile {
    /// Line 1 of every version-1 identity file.
    public static let header = "swift-dht-ed25519-seed-v1"

    /// The largest file ``load(from:)`` and ``parse(_:)`` accept: a real key file is 157 bytes.
    public static let maximumByteCount = 4096

    /// The text of an identity file for `identity`: header, seed and public key, each on its own line.
    ///
    /// The result holds the secret seed; write it only to a file created with mode `0600`.
    static func encode(_ identity: NodeIdentity) -> [UInt8] {
        var text = Array(header.utf8)
        text.append(UInt8(ascii: "\n"))
        identity.withSeedBytes { seed in text += Array(Hex.encode(seed).utf8) }
        text.append(UInt8(ascii: "\n"))
        text += Array(identity.publicKey.hex.utf8)
        text.append(UInt8(ascii: "\n"))
        return text
    }

    /// Parses the contents of an identity file (see the format above) without touching the file system.
    ///
    /// Any byte string is safe to pass: malformed input throws, it never traps.
    ///
    /// - Throws: ``IdentityFileError`` with ``IdentityFileError/path`` `nil` and one of the codes
    ///   ``IdentityFileError/Code/fileTooLarge``, ``IdentityFileError/Code/badHeader``,
    ///   ``IdentityFileError/Code/missingSeed``, ``IdentityFileError/Code/wrongSeedLength``,
    ///   ``IdentityFileError/Code/badHex``, ``IdentityFileError/Code/wrongPublicKeyLength``,
    ///   ``IdentityFileError/Code/publicKeyMismatch`` or ``IdentityFileError/Code/unexpectedContent``.
    public static func parse(_ bytes: some ContiguousBytes) throws(IdentityFileError) -> NodeIdentity {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(IdentityFileError) in try parse(buffer) }
        }
        return try result.get()
    }

    private static func parse(_ buffer: UnsafeRawBufferPointer) throws(IdentityFileError) -> NodeIdentity {
        guard buffer.count <= maximumByteCount else {
            throw IdentityFileError(.fileTooLarge(byteCount: buffer.count), path: nil)
        }
        let lines = splitLines(buffer)

        guard let first = lines.first, first.elementsEqual(header.utf8) else {
            throw IdentityFileError(.badHeader, path: nil)
        }
        guard lines.count >= 2 else { throw IdentityFileError(.missingSeed, path: nil) }
        guard lines.count <= 3 else { throw IdentityFileError(.unexpectedContent(line: 4), path: nil) }

        var seed = try decodeKey(lines[1], line: 2) { .wrongSeedLength(hexCharacters: $0) }
        defer { wipe(&seed) }
        let identity: NodeIdentity
        do {
            identity = try NodeIdentity(seed: seed)
        } catch {
            // Unreachable: decodeKey returned 32 bytes.
            throw IdentityFileError(.wrongSeedLength(hexCharacters: seed.count * 2), path: nil)
        }

        if lines.count == 3 {
            let publicKey = try decodeKey(lines[2], line: 3) { .wrongPublicKeyLength(hexCharacters: $0) }
            guard publicKey == identity.publicKey.bytes else {
                throw IdentityFileError(.publicKeyMismatch(derived: identity.publicKey, inFile: publicKey), path: nil)
            }
        }
        return identity
    }

    /// Splits at `\n`, dropping one `\r` before each `\n` and the empty piece after a final `\n`.
    private static func splitLines(_ buffer: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer.SubSequence] {
        var lines = buffer.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }
    }

    /// Decodes a line of 64 hex digits into 32 bytes.
    private static func decodeKey(
        _ text: UnsafeRawBufferPointer.SubSequence,
        line: Int,
        wrongLength: (Int) -> IdentityFileError.Detail
    ) throws(IdentityFileError) -> [UInt8] {
        guard text.count == 64 else { throw IdentityFileError(wrongLength(text.count), path: nil) }
        var out = [UInt8]()
        out.reserveCapacity(32)
        var high: UInt8 = 0
        for (offset, character) in text.enumerated() {
            guard let nibble = Hex.value(of: character) else {
                wipe(&out)
                throw IdentityFileError(.badHex(line: line, offset: offset), path: nil)
            }
            if offset % 2 == 0 {
                high = nibble
            } else {
                out.append(high << 4 | nibble)
            }
        }
        return out
    }

    /// Overwrites `bytes` with zeros in a way the optimiser keeps (best effort: earlier copies may survive).
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            sodium_memzero(base, buffer.count)
        }
    }
}
