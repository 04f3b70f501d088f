import DHTCrypto

/// Seals outgoing frames under one direction's key, numbering them from 0.
public struct SecureFrameSealer: Sendable {
    private let key: AEADKey
    /// How many frames were sealed so far: the counter of the next nonce.
    public private(set) var frameCount: UInt64 = 0

    /// A sealer whose first frame uses nonce 0.
    public init(key: AEADKey) {
        self.key = key
    }

    /// Writes the frame carrying `plaintext` (header, ciphertext, tag) to the start of `output`; returns its
    /// length, ``SecureFrame/byteCount(plaintextByteCount:)``.
    ///
    /// - Precondition: `output` holds at least that many bytes.
    /// - Throws: ``SecureFrameError/plaintextTooLarge(byteCount:)``, ``SecureFrameError/counterExhausted``.
    public mutating func seal(_ plaintext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(SecureFrameError) -> Int
    {
        try seal(head: plaintext, payload: UnsafeRawBufferPointer(start: nil, count: 0), into: output)
    }

    /// Writes the frame carrying `head` followed by `payload` to the start of `output`, encrypting each piece
    /// from where it lies (no joined copy of the plaintext); returns its length,
    /// ``SecureFrame/byteCount(plaintextByteCount:)`` of both pieces. The frame is the one ``seal(_:into:)`` makes
    /// of the concatenation.
    ///
    /// - Precondition: `output` holds at least that many bytes and overlaps neither piece.
    /// - Throws: ``SecureFrameError/plaintextTooLarge(byteCount:)``, ``SecureFrameError/counterExhausted``.
    public mutating func seal(
        head: UnsafeRawBufferPointer,
        payload: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(SecureFrameError) -> Int {
        let count = head.count + payload.count
        guard count <= SecureFrame.maxPlaintextByteCount else { throw .plaintextTooLarge(byteCount: count) }
        guard frameCount < .max else { throw .counterExhausted }
        let total = SecureFrame.byteCount(plaintextByteCount: count)
        precondition(output.count >= total, "the output buffer is too small for the frame")
        let length = UInt32(total - SecureFrame.headerByteCount)
        output.storeBytes(of: length.bigEndian, toByteOffset: 0, as: UInt32.self)
        key.seal(
            head,
            payload,
            nonce: AEADNonce(counter: frameCount),
            associatedData: UnsafeRawBufferPointer(rebasing: output[0..<SecureFrame.headerByteCount]),
            into: UnsafeMutableRawBufferPointer(rebasing: output[SecureFrame.headerByteCount..<total])
        )
        frameCount += 1
        return total
    }

    /// The frame carrying `plaintext`, as a new array.
    ///
    /// - Throws: ``SecureFrameError/plaintextTooLarge(byteCount:)``, ``SecureFrameError/counterExhausted``.
    public mutating func seal(_ plaintext: some ContiguousBytes) throws(SecureFrameError) -> [UInt8] {
        let count = plaintext.withUnsafeBytes { $0.count }
        guard count <= SecureFrame.maxPlaintextByteCount else { throw .plaintextTooLarge(byteCount: count) }
        var frame = [UInt8](repeating: 0, count: SecureFrame.byteCount(plaintextByteCount: count))
        let result: Result<Int, SecureFrameError> = plaintext.withUnsafeBytes { message in
            frame.withUnsafeMutableBytes { output in
                do throws(SecureFrameError) {
                    return .success(try seal(message, into: output))
                } catch {
                    return .failure(error)
                }
            }
        }
        _ = try result.get()
        return frame
    }

    /// The frame carrying `plaintext` (head then payload), as a new array.
    ///
    /// - Throws: ``SecureFrameError/plaintextTooLarge(byteCount:)``, ``SecureFrameError/counterExhausted``.
    public mutating func seal(_ plaintext: SecureFramePlaintext) throws(SecureFrameError) -> [UInt8] {
        let count = plaintext.byteCount
        guard count <= SecureFrame.maxPlaintextByteCount else { throw .plaintextTooLarge(byteCount: count) }
        var frame = [UInt8](repeating: 0, count: SecureFrame.byteCount(plaintextByteCount: count))
        let result: Result<Int, SecureFrameError> = plaintext.head.withUnsafeBytes { head in
            plaintext.payload.withUnsafeBytes { payload in
                frame.withUnsafeMutableBytes { output in
                    do throws(SecureFrameError) {
                        return .success(try seal(head: head, payload: payload, into: output))
                    } catch {
                        return .failure(error)
                    }
                }
            }
        }
        _ = try result.get()
        return frame
    }
}
