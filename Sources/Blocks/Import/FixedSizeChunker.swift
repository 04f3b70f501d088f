import DHTCrypto

/// Cuts a stream of bytes into chunks of exactly `chunkSize` bytes, the last one possibly shorter: kubo's
/// `size-N` splitter.
///
/// It holds at most one partial chunk. Feed bytes in pieces of any size with ``append(_:emit:)``; each chunk is
/// handed out as soon as it is full. ``finish()`` returns the last, partial chunk.
public struct FixedSizeChunker: Sendable {
    /// The chunk size in bytes.
    public let chunkSize: Int

    private var buffer: [UInt8] = []

    /// Creates a chunker; `chunkSize` comes from a validated ``ImportProfile``.
    public init(chunkSize: Int) {
        self.chunkSize = max(1, chunkSize)
    }

    /// The number of bytes held in the partial chunk.
    public var pendingByteCount: Int { buffer.count }

    /// Appends `bytes`, calling `emit` with every chunk that becomes full, in order.
    public mutating func append<E: Error>(
        _ bytes: some ContiguousBytes,
        emit: ([UInt8]) throws(E) -> Void
    ) throws(E) {
        // `withUnsafeBytes` is rethrows, so carry a typed error out of it by hand.
        var failure: E?
        bytes.withUnsafeBytes { raw in
            do throws(E) { try append(raw, emit: emit) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private mutating func append<E: Error>(
        _ raw: UnsafeRawBufferPointer,
        emit: ([UInt8]) throws(E) -> Void
    ) throws(E) {
        var rest = raw
        while !rest.isEmpty {
            if buffer.isEmpty && rest.count >= chunkSize {
                // A whole chunk in the input: copy it once, straight into its own array.
                try emit(Array(rest[..<chunkSize]))
                rest = UnsafeRawBufferPointer(rebasing: rest[chunkSize...])
                continue
            }
            if buffer.capacity < chunkSize { buffer.reserveCapacity(chunkSize) }
            let take = min(chunkSize - buffer.count, rest.count)
            buffer.append(contentsOf: rest[..<take])
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if buffer.count == chunkSize {
                let chunk = buffer
                buffer = []
                try emit(chunk)
            }
        }
    }

    /// Returns the partial last chunk (empty if the input was a multiple of the chunk size) and empties the
    /// chunker.
    public mutating func finish() -> [UInt8] {
        defer { buffer = [] }
        return buffer
    }
}
