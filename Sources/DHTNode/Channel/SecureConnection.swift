import NIOCore
import SecureChannel

/// An authenticated, encrypted TCP connection: each inbound element is one frame's plaintext, each outbound
/// element becomes one frame (at most ``SecureChannel/SecureFrame/maxPlaintextByteCount`` bytes). A plaintext has
/// a head and an optional payload: an outbound one is sealed from both arrays where they lie, an inbound one is
/// split where ``SecureTransportConfiguration/payloadSplit`` says.
///
/// Use it through `channel.executeThenClose { inbound, outbound in ... }`, which MUST be called once for every
/// connection (SwiftNIO traps in debug builds when an `NIOAsyncChannel` is dropped unused). The inbound sequence
/// throws a ``SecureTransportError`` when the peer breaks the protocol or stalls; the connection is then already
/// closed.
public struct SecureConnection: Sendable {
    /// The authenticated peer.
    public let peer: SecureChannelPeer
    /// The plaintext frames.
    public let channel: NIOAsyncChannel<SecureFramePlaintext, SecureFramePlaintext>
}
