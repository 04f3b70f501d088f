/// The bytes of a fetch, in file order, as its reader takes them: each piece handed out is reported back to the
/// node (``ExchangeNode/consumed(_:upTo:)``), so the fetch's read-ahead counts from what the reader took, not from
/// what arrived. A reader slower than the network (a video player, an HTTP client on a slow link) therefore holds
/// about ``Exchange/ExchangeConfiguration/readAheadBytes`` in memory, never the file.
public struct FetchByteStream: AsyncSequence, Sendable {
    public typealias Element = ArraySlice<UInt8>

    let base: AsyncThrowingStream<ArraySlice<UInt8>, any Error>
    /// Called with the offset, within the fetch's range, past the last byte handed out.
    let took: @Sendable (UInt64) -> Void

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), took: took)
    }

    /// Hands out the pieces and reports each one taken.
    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<ArraySlice<UInt8>, any Error>.AsyncIterator
        let took: @Sendable (UInt64) -> Void
        var taken: UInt64 = 0

        /// The next piece; `nil` at the end. Throws what ended the fetch.
        public mutating func next() async throws -> ArraySlice<UInt8>? {
            guard let piece = try await base.next() else { return nil }
            taken += UInt64(piece.count)
            took(taken)
            return piece
        }
    }
}
