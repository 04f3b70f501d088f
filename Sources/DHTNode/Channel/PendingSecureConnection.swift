import NIOCore

/// A connection whose handshake is under way.
///
/// The frame channel (`NIOAsyncChannel`) is made only once the handshake succeeds, on the event loop, before any
/// frame is read: a connection that fails its handshake never had one, so nothing is left to finish.
struct PendingSecureConnection: Sendable {
    let connection: EventLoopFuture<SecureConnection>

    /// Waits for the handshake; the connection is closed already if it fails.
    func established() async throws -> SecureConnection {
        try await connection.get()
    }
}
