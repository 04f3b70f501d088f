import DHTCrypto
import SecureChannel

/// Fixed identities and ephemeral keys, so handshakes are reproducible.
enum Fixture {
    static func identity(_ n: UInt8) -> NodeIdentity {
        try! NodeIdentity(seed: [UInt8](repeating: n, count: 32))
    }

    static func ephemeral(_ n: UInt8) -> X25519PrivateKey {
        try! X25519PrivateKey(bytes: [UInt8](repeating: n, count: 32))
    }

    static func configuration(
        _ n: UInt8,
        swarmKey: SwarmKey? = nil,
        versions: [UInt8] = [1],
        ciphers: [AEADCipher] = [.chaCha20Poly1305]
    ) -> HandshakeConfiguration {
        HandshakeConfiguration(identity: identity(n), swarmKey: swarmKey, versions: versions, ciphers: ciphers)
    }
}

/// The bytes each side sent and how each side ended, for a handshake driven message by message.
struct HandshakeRun {
    var message1: [UInt8] = []
    var message2: [UInt8] = []
    var message3: [UInt8] = []
    var initiator: HandshakeOutcome = .pending
    var responder: HandshakeOutcome = .pending
}

/// How one side's handshake ended.
enum HandshakeOutcome {
    case pending
    case established(SecureSession)
    case failed(HandshakeError)

    var session: SecureSession? {
        if case .established(let session) = self { return session }
        return nil
    }

    var error: HandshakeError? {
        if case .failed(let error) = self { return error }
        return nil
    }
}

extension [HandshakeDirective] {
    /// The bytes of every `.send`, joined.
    var sent: [UInt8] {
        flatMap { directive -> [UInt8] in
            if case .send(let bytes) = directive { return bytes }
            return []
        }
    }

    /// How this step ended the handshake, if it did.
    var outcome: HandshakeOutcome {
        for directive in self {
            switch directive {
            case .established(let session): return .established(session)
            case .failed(let error): return .failed(error)
            case .send: continue
            }
        }
        return .pending
    }
}

/// Runs a whole handshake, letting `alter` change each message in flight (step 1, 2 or 3).
func runHandshake(
    initiator: HandshakeConfiguration,
    responder: HandshakeConfiguration,
    expectedPeerKey: Ed25519PublicKey? = nil,
    alter: (Int, inout [UInt8]) -> Void = { _, _ in }
) -> HandshakeRun {
    var run = HandshakeRun()
    var left = SecureChannelHandshake.initiator(
        configuration: initiator, ephemeralKey: Fixture.ephemeral(101), expectedPeerKey: expectedPeerKey)
    var right = SecureChannelHandshake.responder(configuration: responder, ephemeralKey: Fixture.ephemeral(102))
    _ = right.start()
    run.message1 = left.start().sent
    alter(1, &run.message1)
    let step2 = right.receive(run.message1)
    run.message2 = step2.sent
    run.responder = step2.outcome
    guard !run.message2.isEmpty else { return run }
    alter(2, &run.message2)
    let step3 = left.receive(run.message2)
    run.message3 = step3.sent
    run.initiator = step3.outcome
    guard !run.message3.isEmpty else { return run }
    alter(3, &run.message3)
    run.responder = right.receive(run.message3).outcome
    return run
}
