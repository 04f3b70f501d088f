import SecureChannel

/// Why a secure connection failed or was closed. ``reason`` is a short stable label for counters.
public enum SecureTransportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The handshake failed; the connection was closed without another byte sent.
    case handshake(HandshakeError)
    /// A frame was refused (oversized, too short, bad tag); the connection was closed.
    case frame(SecureFrameError)
    /// The handshake did not complete within ``SecureTransportConfiguration/handshakeTimeout``.
    case handshakeTimedOut
    /// A frame arrived slower than ``SecureTransportConfiguration/frameRate`` allows (a grace, then a minimum
    /// rate).
    case frameTooSlow
    /// The peer closed the connection before the handshake completed.
    case closedDuringHandshake
    /// A frame was written before the handshake completed.
    case notEstablished
    /// The listener's connection budget (``SecureTransportConfiguration/listenerLimits``) refused this
    /// connection; it was closed as it was accepted.
    case tooManyHandshakes

    /// A short stable label: `handshake-<reason>`, `frame-<reason>`, `handshake-timeout`, `frame-too-slow`, ...
    public var reason: String {
        switch self {
        case .handshake(let error): "handshake-\(error.reason)"
        case .frame(let error): "frame-\(error.reason)"
        case .handshakeTimedOut: "handshake-timeout"
        case .frameTooSlow: "frame-too-slow"
        case .closedDuringHandshake: "closed-during-handshake"
        case .notEstablished: "not-established"
        case .tooManyHandshakes: "too-many-handshakes"
        }
    }

    /// A sentence naming what went wrong.
    public var description: String {
        switch self {
        case .handshake(let error): "secure channel handshake failed: \(error)"
        case .frame(let error): "secure channel closed: \(error)"
        case .handshakeTimedOut: "the secure channel handshake timed out"
        case .frameTooSlow: "the peer sent a frame slower than the minimum rate"
        case .closedDuringHandshake: "the peer closed the connection during the handshake"
        case .notEstablished: "a frame was written before the handshake completed"
        case .tooManyHandshakes: "the listener holds all the connections its limits allow from this address, network or in all; the connection was refused"
        }
    }
}
