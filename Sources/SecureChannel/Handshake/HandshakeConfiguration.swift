import DHTCrypto

/// What one side brings to a secure-channel handshake: its identity, the swarm key if any, and what it speaks.
public struct HandshakeConfiguration: Sendable {
    /// The node's long-term Ed25519 identity; the peer learns its public key and checks its signature.
    public var identity: NodeIdentity
    /// The private swarm's pre-shared key, or `nil` for the open network. Both sides MUST hold the same key (or
    /// both none) to complete a handshake.
    public var swarmKey: SwarmKey?
    /// The versions of the protocol carried in frames that this node speaks (1 to 255, no duplicates). The
    /// responder picks the highest version both lists share.
    public var versions: [UInt8]
    /// The ciphers this node offers. It MUST contain ``AEADCipher/chaCha20Poly1305``; AES-256-GCM is chosen when
    /// both sides list it, which they do by default exactly when their CPU has AES-NI.
    public var ciphers: [AEADCipher]

    /// The versions this implementation speaks: 1.
    public static let defaultVersions: [UInt8] = [1]

    /// A configuration with the default versions and the ciphers this CPU runs fast.
    public init(
        identity: NodeIdentity,
        swarmKey: SwarmKey? = nil,
        versions: [UInt8] = HandshakeConfiguration.defaultVersions,
        ciphers: [AEADCipher] = AEADCipher.available
    ) {
        precondition(!versions.isEmpty && versions.count <= HandshakeWire.maxVersionCount, "1 to 16 versions")
        precondition(!versions.contains(0) && Set(versions).count == versions.count, "versions 1...255, distinct")
        precondition(ciphers.contains(.chaCha20Poly1305), "ChaCha20-Poly1305 is mandatory")
        precondition(ciphers.allSatisfy(\.isAvailable), "a cipher this CPU cannot run")
        self.identity = identity
        self.swarmKey = swarmKey
        self.versions = versions
        self.ciphers = ciphers
    }
}
