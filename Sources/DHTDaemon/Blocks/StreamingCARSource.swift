import Blocks
import NIOCore

/// A ``CARByteSource`` over a CAR v1 stream that arrives in pieces (an HTTP request body), so that a synchronous
/// ``CARReader`` can check it section by section while the rest is still on its way.
///
/// The reader pulls and cannot wait for bytes, so the source also frames the stream: ``completeThrough`` is the
/// offset where the last fully buffered section (header included) ends, and the reader is only asked for
/// sections before it (``BlockRepository/importCAR(_:pin:)``). At the end of the stream, or when a length prefix
/// is malformed or too large, ``completeThrough`` becomes unbounded: the reader then meets the problem itself and
/// throws its usual ``CARError`` with the offset, exactly as it would for a file.
///
/// Memory: the bytes not read yet, which is at most one section plus one body piece when the reader keeps up.
final class StreamingCARSource: CARByteSource {
    private var bytes: [UInt8] = []
    /// Index in `bytes` of the next byte the reader gets.
    private var position = 0
    /// Stream offset of `bytes[0]`.
    private var base: UInt64 = 0
    /// Stream offset up to which sections were framed.
    private var framed: UInt64 = 0
    /// Whether framing gave up (end of stream, bad prefix): everything buffered may be read.
    private var unbounded = false

    /// The stream offset before which every section is complete in the buffer.
    var completeThrough: UInt64 { unbounded ? .max : framed }

    /// Appends a piece of the stream and frames the sections it completes.
    func append(_ piece: ByteBuffer) {
        if position > 0 && position >= bytes.count / 2 {
            bytes.removeFirst(position)
            base += UInt64(position)
            position = 0
        }
        bytes.append(contentsOf: piece.readableBytesView)
        frame()
    }

    /// Marks the end of the stream: whatever is buffered is all there is.
    func finish() {
        unbounded = true
    }

    private func frame() {
        while !unbounded {
            var index = Int(framed - base)
            var length: UInt64 = 0
            var shift: UInt64 = 0
            var count = 0
            while true {
                guard index < bytes.count else { return }  // the prefix is not complete yet
                let byte = bytes[index]
                index += 1
                count += 1
                length |= UInt64(byte & 0x7f) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
                if count == Varint.maxByteCount {
                    unbounded = true  // a malformed prefix: let the reader report it
                    return
                }
            }
            guard length <= CARReader<StreamingCARSource>.maxSectionLength else {
                unbounded = true  // too large: the reader rejects it before reading its bytes
                return
            }
            guard UInt64(bytes.count - index) >= length else { return }
            framed = base + UInt64(index) + length
        }
    }

    /// Up to `count` buffered bytes (fewer only past the end of what arrived).
    func read(_ count: Int) -> [UInt8] {
        let end = position + min(count, bytes.count - position)
        defer { position = end }
        return Array(bytes[position..<end])
    }

    /// The next buffered byte, or `nil`.
    func readByte() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }
}
