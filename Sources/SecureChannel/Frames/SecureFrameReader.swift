import DHTCrypto

/// Cuts a received byte stream into frames and opens them while their bytes arrive: each piece of ciphertext is
/// decrypted from the buffer it came in straight to the frame's plaintext array, so no frame is gathered first.
/// Sans-I/O: the NIO shell feeds it each read; tests and the fuzzer feed it arrays.
///
/// A frame's plaintext is delivered (``SecureFramePlaintext``) only after its tag verified, in order. With a
/// ``PayloadSplit``, the reader decrypts a frame's first ``prefixByteCount`` bytes, asks the split where the
/// frame's payload starts, and decrypts the rest into an array of the payload's own: an exchange message's block
/// bytes become the block's array without a copy.
///
/// It holds at most one frame (up to ``SecureFrame/maxPlaintextByteCount`` bytes). The first error is final:
/// every later call throws it again, and nothing of the failed frame is delivered. A reference type (it owns an
/// OpenSSL context); use it from one thread at a time.
public final class SecureFrameReader {
    /// Where a frame's payload starts, given its first bytes (``prefixByteCount``, or the whole plaintext when
    /// shorter): an offset from 0 to `prefix.count`, or `nil` to deliver the frame whole as its head.
    public typealias PayloadSplit = @Sendable (_ prefix: UnsafeRawBufferPointer) -> Int?

    /// How many plaintext bytes a ``PayloadSplit`` sees: ``SecureFrame/plaintextHeaderRoom`` (64), the room the
    /// frame limit leaves for a protocol header in front of a 2 MiB block.
    public static let prefixByteCount = SecureFrame.plaintextHeaderRoom

    private enum Phase {
        /// Reading the 4-byte length.
        case header
        /// Decrypting the first bytes, before the split is decided.
        case prefix
        /// Decrypting into ``destination``.
        case body
        /// Reading the 16-byte tag.
        case tag
    }

    private let opener: AEADIncrementalOpener
    private let split: PayloadSplit?
    /// How many frames were opened so far: the counter of the next nonce.
    public private(set) var frameCount: UInt64
    private var failure: SecureFrameError?

    private var phase = Phase.header
    /// The length prefix (``phase`` `.header`) or the last 16 bytes (`.tag`) as they come in.
    private var small: (UInt64, UInt64, UInt64) = (0, 0, 0)
    private var smallCount = 0
    /// The frame's plaintext length and how much of its ciphertext (without the tag) was decrypted.
    private var plaintextCount = 0
    private var decrypted = 0
    /// The first plaintext bytes, while the split is not decided (one buffer for every frame).
    private var prefix = [UInt8](repeating: 0, count: prefixByteCount)
    /// The frame's head, and its payload when split. The rest of the frame (after the prefix) is decrypted into
    /// the payload when there is one, else into the head.
    private var head: [UInt8] = []
    private var payload: [UInt8] = []

    /// A reader whose first frame uses `opener`'s key and next nonce; `split` (if any) chooses payloads.
    public init(opener: SecureFrameOpener, split: PayloadSplit? = nil) {
        self.opener = AEADIncrementalOpener(key: opener.key)
        self.frameCount = opener.frameCount
        self.split = split
    }

    /// Bytes of an incomplete frame received so far (0 between frames).
    public var partialFrameByteCount: Int {
        switch phase {
        case .header: smallCount
        case .prefix, .body: SecureFrame.headerByteCount + decrypted
        case .tag: SecureFrame.headerByteCount + decrypted + smallCount
        }
    }

    /// Consumes received bytes: opens every frame they complete and passes each plaintext to `deliver`, in order.
    ///
    /// - Throws: ``SecureFrameError`` (a bad length as soon as its 4 bytes are in, a tag that fails once the
    ///   frame's last byte is in); frames completed earlier in `bytes` were delivered, later ones are not read.
    public func read(_ bytes: UnsafeRawBufferPointer, deliver: (SecureFramePlaintext) -> Void)
        throws(SecureFrameError)
    {
        if let failure { throw failure }
        var input = bytes[...]
        do throws(SecureFrameError) {
            while !input.isEmpty {
                switch phase {
                case .header:
                    take(&input, upTo: SecureFrame.headerByteCount)
                    if smallCount == SecureFrame.headerByteCount { try beginFrame() }
                case .prefix:
                    let wanted = min(plaintextCount, Self.prefixByteCount)
                    decrypt(&input, upTo: wanted, into: &prefix, at: decrypted)
                    if decrypted == wanted { decideSplit() }
                case .body:
                    // The payload starts at plaintext byte head.count; without one the head starts at 0.
                    if payload.isEmpty {
                        decrypt(&input, upTo: plaintextCount, into: &head, at: decrypted)
                    } else {
                        decrypt(&input, upTo: plaintextCount, into: &payload, at: decrypted - head.count)
                    }
                    if decrypted == plaintextCount { startTag() }
                case .tag:
                    take(&input, upTo: AEADCipher.tagByteCount)
                    if smallCount == AEADCipher.tagByteCount { try endFrame(deliver: deliver) }
                }
            }
        } catch {
            fail(error)
            throw error
        }
    }

    /// Consumes received bytes held in any contiguous collection (see ``read(_:deliver:)-(UnsafeRawBufferPointer,_)``).
    public func read(_ bytes: some ContiguousBytes, deliver: (SecureFramePlaintext) -> Void) throws(SecureFrameError) {
        let result: Result<Void, SecureFrameError> = bytes.withUnsafeBytes { buffer in
            do throws(SecureFrameError) {
                return .success(try read(buffer, deliver: deliver))
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// The stream ended: throws ``SecureFrameError/truncated(byteCount:)`` if part of a frame is left over.
    public func finish() throws(SecureFrameError) {
        if let failure { throw failure }
        let partial = partialFrameByteCount
        guard partial == 0 else { throw .truncated(byteCount: partial) }
    }

    // MARK: - Steps

    /// Decrypts bytes from the front of `input` into `output` at `offset`, until ``decrypted`` reaches `end`.
    private func decrypt(
        _ input: inout Slice<UnsafeRawBufferPointer>,
        upTo end: Int,
        into output: inout [UInt8],
        at offset: Int
    ) {
        let count = min(end - decrypted, input.count)
        let piece = UnsafeRawBufferPointer(rebasing: input.prefix(count))
        let opener = opener
        output.withUnsafeMutableBytes { opener.update(piece, into: UnsafeMutableRawBufferPointer(rebasing: $0[offset...])) }
        decrypted += count
        input = input.dropFirst(count)
    }

    /// Moves bytes from the front of `input` into ``small`` until it holds `count`.
    private func take(_ input: inout Slice<UnsafeRawBufferPointer>, upTo count: Int) {
        let taken = min(count - smallCount, input.count)
        let start = smallCount
        withUnsafeMutableBytes(of: &small) { storage in
            UnsafeMutableRawBufferPointer(rebasing: storage[start..<start + taken])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: input.prefix(taken)))
        }
        smallCount += taken
        input = input.dropFirst(taken)
    }

    private func beginFrame() throws(SecureFrameError) {
        let length = try withUnsafeBytes(of: &small) { (bytes) throws(SecureFrameError) -> Int in
            try SecureFrame.ciphertextByteCount(header: UnsafeRawBufferPointer(rebasing: bytes[0..<SecureFrame.headerByteCount]))
        }
        guard frameCount < .max else { throw .counterExhausted }
        // The length prefix is the associated data.
        let (opener, nonce) = (opener, AEADNonce(counter: frameCount))
        withUnsafeBytes(of: &small) { bytes in
            opener.begin(nonce: nonce, associatedData: UnsafeRawBufferPointer(rebasing: bytes[0..<SecureFrame.headerByteCount]))
        }
        smallCount = 0
        plaintextCount = length - AEADCipher.tagByteCount
        decrypted = 0
        if plaintextCount == 0 {
            decideSplit()
        } else {
            phase = .prefix
        }
    }

    /// The first bytes are in: puts them at the start of the head or of the payload, and sends the rest there.
    private func decideSplit() {
        let first = prefix
        let count = decrypted
        first.withUnsafeBytes { buffer in
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<count])
            if let offset = split?(bytes) {
                precondition(offset >= 0 && offset <= bytes.count, "a payload split outside the prefix")
                head = Array(bytes[..<offset])
                payload = Self.uninitializedArray(count: plaintextCount - offset)
                payload.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset...])) }
            } else {
                head = Self.uninitializedArray(count: plaintextCount)
                payload = []
                head.withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
            }
        }
        if decrypted == plaintextCount {
            startTag()
        } else {
            phase = .body
        }
    }

    private func startTag() {
        phase = .tag
        smallCount = 0
    }

    private func endFrame(deliver: (SecureFramePlaintext) -> Void) throws(SecureFrameError) {
        let verified = withUnsafeBytes(of: &small) { bytes in
            opener.finish(tag: UnsafeRawBufferPointer(rebasing: bytes[0..<AEADCipher.tagByteCount]))
        }
        guard verified else { throw .authenticationFailed }
        frameCount += 1
        phase = .header
        smallCount = 0
        let plaintext = SecureFramePlaintext(head: head, payload: payload)
        head = []
        payload = []
        deliver(plaintext)
    }

    private func fail(_ error: SecureFrameError) {
        failure = error
        // Nothing of an unauthenticated frame is kept.
        prefix.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
        head = []
        payload = []
        phase = .header
        smallCount = 0
    }

    /// An array of `count` bytes that the decryption fills before anyone reads it (saves zeroing a block's worth).
    private static func uninitializedArray(count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}
