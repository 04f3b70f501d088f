import NIOCore

/// A TCP listener whose connections are handed out once their handshake succeeds.
public struct SecureListener: Sendable {
    /// The address the listener is bound to (with the port the system picked for port 0).
    public let localAddress: SocketAddress
    /// The budget its connections pass before their handshakes run (counts for metrics and tests).
    public let admission: ConnectionAdmission
    let serverChannel: NIOAsyncChannel<PendingSecureConnection, Never>

    init(server: NIOAsyncChannel<PendingSecureConnection, Never>, admission: ConnectionAdmission) throws {
        guard let address = server.channel.localAddress else {
            server.channel.close(promise: nil)
            throw ChannelError.unknownLocalAddress
        }
        self.localAddress = address
        self.serverChannel = server
        self.admission = admission
    }

    /// Accepts connections until the listener is closed or the task cancelled, and runs `handler` for each one
    /// that completes its handshake, concurrently, in a task of its own. A connection that fails its handshake
    /// was already closed and is skipped.
    public func run(_ handler: @escaping @Sendable (SecureConnection) async -> Void) async throws {
        try await serverChannel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await pending in inbound {
                    group.addTask {
                        guard let connection = try? await pending.established() else { return }
                        await handler(connection)
                    }
                }
            }
        }
    }

    /// Stops accepting; ``run(_:)`` returns once its connections' handlers have.
    public func close() async {
        try? await serverChannel.channel.close()
    }
}
