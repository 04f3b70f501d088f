/// One frame's plaintext, in up to two arrays: `head`, and `payload` when the receiver split the frame (see
/// ``SecureFrameReader/PayloadSplit``) or the sender built it from two pieces.
///
/// The split exists so that bulk bytes move once: a sender seals a block straight from its array (the protocol's
/// header in `head`, the block in `payload`), and a receiver decrypts a block straight into the array that
/// becomes the block. On the wire a frame is one plaintext, `head` followed by `payload`; where one side split
/// it says nothing about where the other does.
public struct SecureFramePlaintext: Sendable, Hashable {
    /// The frame's first bytes (all of them when `payload` is empty).
    public var head: [UInt8]
    /// The rest of the frame, or empty.
    public var payload: [UInt8]

    /// A plaintext of `head` followed by `payload`.
    public init(head: [UInt8], payload: [UInt8] = []) {
        self.head = head
        self.payload = payload
    }

    /// The length of the plaintext: `head.count + payload.count`.
    public var byteCount: Int { head.count + payload.count }

    /// The plaintext as one array (a copy when there is a payload).
    public var bytes: [UInt8] { payload.isEmpty ? head : head + payload }
}
