/// What a ``SecureChannelHandshake`` asks its shell to do after an event, in order.
public enum HandshakeDirective: Sendable {
    /// Write these bytes to the peer.
    case send([UInt8])
    /// The handshake succeeded: frames may flow. Carries the keys, the peer's identity and what was chosen.
    case established(SecureSession)
    /// The handshake failed: send nothing more and close the connection.
    case failed(HandshakeError)
}
