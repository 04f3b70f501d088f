import Dispatch
import Foundation
import NIOCore
import Synchronization

/// A request body produced on a thread of its own: `produce` reads a file (or builds a CAR) with blocking calls
/// and hands pieces to `send`; the HTTP client pulls them as an async sequence.
///
/// At most ``capacity`` pieces wait between the two sides: `send` blocks the producer thread (never an event
/// loop or a task) until the client took one, so a 1 GiB upload holds a few MiB at most. ``cancel()`` ends a
/// producer whose request failed; the producer's own error is kept in ``failure`` (the HTTP client only reports
/// that the body failed).
final class UploadStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    /// Pieces that may wait for the client.
    static let capacity = 4

    private struct State {
        var isCancelled = false
        var failure: (any Error)?
    }

    private let stream: AsyncThrowingStream<ByteBuffer, any Error>
    private let space = DispatchSemaphore(value: UploadStream.capacity)
    private let state = Mutex(State())

    /// Starts `produce` on a new thread.
    init(_ produce: @escaping @Sendable (_ send: (ByteBuffer) throws -> Void) throws -> Void) {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        self.stream = stream
        let thread = Thread { [self] in
            do {
                try produce { piece in
                    space.wait()
                    if state.withLock({ $0.isCancelled }) { throw CancellationError() }
                    continuation.yield(piece)
                }
                continuation.finish()
            } catch {
                state.withLock { $0.failure = error }
                continuation.finish(throwing: error)
            }
        }
        thread.start()
    }

    /// The bytes of `input`, `pieceBytes` at a time, closing it at the end; `progress` gets the bytes sent so far.
    convenience init(reading input: InputFile, pieceBytes: Int, progress: @escaping @Sendable (UInt64) -> Void = { _ in })
    {
        self.init { send in
            defer { input.close() }
            var buffer = [UInt8](repeating: 0, count: pieceBytes)
            var done: UInt64 = 0
            while true {
                let count = try input.read(into: &buffer)
                if count == 0 { break }
                try send(ByteBuffer(bytes: buffer[..<count]))
                done += UInt64(count)
                progress(done)
            }
        }
    }

    /// The producer's error, if it failed.
    var failure: (any Error)? { state.withLock { $0.failure } }

    /// Stops the producer at its next piece (call it once the request is over, whatever its outcome).
    func cancel() {
        state.withLock { $0.isCancelled = true }
        space.signal()
    }

    func makeAsyncIterator() -> Iterator {
        Iterator(base: stream.makeAsyncIterator(), space: space)
    }

    /// Takes pieces from the stream, making room for the producer after each.
    struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<ByteBuffer, any Error>.Iterator
        let space: DispatchSemaphore

        mutating func next() async throws -> ByteBuffer? {
            let piece = try await base.next()
            if piece != nil { space.signal() }
            return piece
        }
    }
}
