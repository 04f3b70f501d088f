import DHTCrypto

/// The secure-channel handshake as a state machine without I/O (docs/PROTOCOL.md, "Secure channel").
///
/// Three messages, Noise-XX-like with Ed25519 signatures over the transcript:
/// 1. initiator → responder: magic, versions, ciphers, ephemeral X25519 key, swarm tag;
/// 2. responder → initiator: chosen version and cipher, ephemeral key, then its identity key and signature,
///    sealed under a key from DH(e, e) and the swarm key;
/// 3. initiator → responder: its identity key and signature, sealed.
///
/// The shell calls ``start()`` once the connection is up, then ``receive(_:)`` with every byte read, and carries
/// out the ``HandshakeDirective``s in order. The ephemeral key is injected, so tests are deterministic; nothing
/// here reads a clock (the shell owns the handshake timeout). A failed handshake stays failed and ignores
/// further input.
public struct SecureChannelHandshake: Sendable {
    /// Which side of the connection this is.
    public enum Role: Sendable, Hashable {
        /// The side that connected; it sends message 1.
        case initiator
        /// The side that accepted; it answers with message 2.
        case responder
    }

    private enum State: Sendable {
        case idle
        case awaitingMessage1
        case awaitingMessage2(message1: [UInt8])
        case awaitingMessage3(transcript: [UInt8], pseudoRandomKey: [UInt8], version: UInt8, cipher: AEADCipher)
        case done
    }

    /// This side's role.
    public let role: Role
    private let configuration: HandshakeConfiguration
    private let ephemeralKey: X25519PrivateKey
    private let expectedPeerKey: Ed25519PublicKey?
    private let schedule: HandshakeKeySchedule
    private var state: State = .idle
    private var buffer: [UInt8] = []

    /// The initiator's side. With `expectedPeerKey`, a responder that proves another identity fails the
    /// handshake with ``HandshakeError/unexpectedPeer(_:)``.
    ///
    /// - Parameter ephemeralKey: a fresh key per connection (``X25519PrivateKey/generate()``); reusing one loses
    ///   forward secrecy.
    public static func initiator(
        configuration: HandshakeConfiguration,
        ephemeralKey: X25519PrivateKey,
        expectedPeerKey: Ed25519PublicKey? = nil
    ) -> SecureChannelHandshake {
        SecureChannelHandshake(
            role: .initiator,
            configuration: configuration,
            ephemeralKey: ephemeralKey,
            expectedPeerKey: expectedPeerKey
        )
    }

    /// The responder's side.
    ///
    /// - Parameter ephemeralKey: a fresh key per connection.
    public static func responder(
        configuration: HandshakeConfiguration,
        ephemeralKey: X25519PrivateKey
    ) -> SecureChannelHandshake {
        SecureChannelHandshake(
            role: .responder,
            configuration: configuration,
            ephemeralKey: ephemeralKey,
            expectedPeerKey: nil
        )
    }

    private init(
        role: Role,
        configuration: HandshakeConfiguration,
        ephemeralKey: X25519PrivateKey,
        expectedPeerKey: Ed25519PublicKey?
    ) {
        self.role = role
        self.configuration = configuration
        self.ephemeralKey = ephemeralKey
        self.expectedPeerKey = expectedPeerKey
        self.schedule = HandshakeKeySchedule(swarmKey: configuration.swarmKey)
    }

    /// Whether the handshake has ended, established or failed.
    public var isFinished: Bool {
        if case .done = state { return true }
        return false
    }

    /// The connection is up: the initiator sends message 1, the responder waits. Call once.
    public mutating func start() -> [HandshakeDirective] {
        guard case .idle = state else { return [] }
        switch role {
        case .responder:
            state = .awaitingMessage1
            return []
        case .initiator:
            let message1 = makeMessage1()
            state = .awaitingMessage2(message1: message1)
            return [.send(message1)]
        }
    }

    /// Bytes arrived from the peer (any split). Returns what to do; bytes past the last handshake message end up
    /// in ``SecureSession/remainder``. Calls ``start()`` first if it was not called.
    public mutating func receive(_ bytes: some ContiguousBytes) -> [HandshakeDirective] {
        if case .done = state { return [] }
        var directives: [HandshakeDirective] = []
        if case .idle = state { directives = start() }
        bytes.withUnsafeBytes { buffer.append(contentsOf: $0) }
        while let message = nextMessage(into: &directives) {
            do throws(HandshakeError) {
                try handle(message, into: &directives)
            } catch {
                state = .done
                buffer = []
                directives.append(.failed(error))
            }
            if case .done = state { break }
        }
        // A side that fails sends nothing, not even an answer to an earlier message of the same read.
        if directives.contains(where: { if case .failed = $0 { true } else { false } }) {
            directives.removeAll { if case .send = $0 { true } else { false } }
        }
        return directives
    }

    /// The next whole message (length prefix included), once its bytes are buffered; a bad length fails.
    private mutating func nextMessage(into directives: inout [HandshakeDirective]) -> [UInt8]? {
        guard buffer.count >= HandshakeWire.lengthPrefixByteCount else { return nil }
        let length = Int(buffer[0]) << 8 | Int(buffer[1])
        let allowed: ClosedRange<Int>
        switch state {
        case .awaitingMessage1:
            allowed = HandshakeWire.minMessage1BodyByteCount...HandshakeWire.maxBodyByteCount
        case .awaitingMessage2:
            allowed = HandshakeWire.message2BodyByteCount...HandshakeWire.message2BodyByteCount
        case .awaitingMessage3:
            allowed = HandshakeWire.message3BodyByteCount...HandshakeWire.message3BodyByteCount
        case .idle, .done:
            return nil
        }
        guard allowed.contains(length) else {
            state = .done
            buffer = []
            directives.append(.failed(.badLength(length)))
            return nil
        }
        let total = HandshakeWire.lengthPrefixByteCount + length
        guard buffer.count >= total else { return nil }
        let message = Array(buffer[0..<total])
        buffer.removeFirst(total)
        return message
    }

    private mutating func handle(_ message: [UInt8], into directives: inout [HandshakeDirective])
        throws(HandshakeError)
    {
        switch state {
        case .awaitingMessage1:
            directives.append(.send(try respond(toMessage1: message)))
        case .awaitingMessage2(let message1):
            let (message3, session) = try finish(message1: message1, message2: message)
            directives.append(.send(message3))
            directives.append(.established(session))
        case .awaitingMessage3(let transcript, let prk, let version, let cipher):
            directives.append(
                .established(
                    try accept(message3: message, transcript: transcript, pseudoRandomKey: prk, version: version,
                               cipher: cipher)
                )
            )
        case .idle, .done:
            break
        }
    }

    // MARK: - Initiator

    private func makeMessage1() -> [UInt8] {
        var body = HandshakeWire.magic
        body.append(UInt8(configuration.versions.count))
        body += configuration.versions
        body.append(UInt8(configuration.ciphers.count))
        body += configuration.ciphers.map(\.rawValue)
        body += ephemeralKey.publicKey.bytes
        var message = Self.lengthPrefix(body.count + HandshakeWire.swarmTagByteCount) + body
        message += schedule.message1Tag(over: message)
        return message
    }

    private mutating func finish(message1: [UInt8], message2: [UInt8]) throws(HandshakeError)
        -> (message3: [UInt8], session: SecureSession)
    {
        // Body: version, cipher, e_r, sealed identity.
        let version = message2[2]
        guard let cipher = AEADCipher(rawValue: message2[3]) else { throw .badChoice }
        let offered = Self.parseOffers(message1)
        // The responder picks from what this side offered; the choice is in the transcript it signs, so a
        // man in the middle cannot narrow the offer without failing the handshake.
        guard offered.versions.contains(version), offered.ciphers.contains(cipher.rawValue) else {
            throw .badChoice
        }
        let responderEphemeral = try! X25519PublicKey(bytes: message2[4..<36])
        let prk = try deriveSecret(with: responderEphemeral)
        let headerEnd = 36
        let hashA = SHA256.hash(message1 + message2[0..<headerEnd]).bytes
        let peerKey = try openIdentity(
            sealed: message2[headerEnd...],
            key: schedule.key("msg2", pseudoRandomKey: prk, transcriptHash: hashA, cipher: cipher),
            transcriptHash: hashA,
            role: "responder"
        )
        if let expectedPeerKey, expectedPeerKey != peerKey { throw .unexpectedPeer(peerKey) }
        guard peerKey != configuration.identity.publicKey else { throw .connectedToSelf }

        let transcript = message1 + message2
        let hash2 = SHA256.hash(transcript).bytes
        let sealed = sealIdentity(
            key: schedule.key("msg3", pseudoRandomKey: prk, transcriptHash: hash2, cipher: cipher),
            transcriptHash: hash2,
            role: "initiator"
        )
        let message3 = Self.lengthPrefix(sealed.count) + sealed
        let session = makeSession(
            transcript: transcript + message3, pseudoRandomKey: prk, peerKey: peerKey, version: version,
            cipher: cipher
        )
        return (message3, session)
    }

    // MARK: - Responder

    private mutating func respond(toMessage1 message: [UInt8]) throws(HandshakeError) -> [UInt8] {
        let bodyStart = HandshakeWire.lengthPrefixByteCount
        guard message[bodyStart..<bodyStart + 8].elementsEqual(HandshakeWire.magic) else { throw .badMagic }
        let tagStart = message.count - HandshakeWire.swarmTagByteCount
        guard let offers = Self.parseOffers(checking: message) else { throw .malformed }
        guard ConstantTime.equals(schedule.message1Tag(over: message[..<tagStart]), message[tagStart...]) else {
            throw .swarmKeyMismatch
        }
        guard let version = Self.highestCommonVersion(offers.versions, configuration.versions) else {
            throw .noCommonVersion
        }
        guard let cipher = Self.chooseCipher(offers.ciphers, configuration.ciphers) else { throw .noCommonCipher }
        let initiatorEphemeral = try! X25519PublicKey(bytes: message[tagStart - 32..<tagStart])
        let prk = try deriveSecret(with: initiatorEphemeral)

        let header =
            Self.lengthPrefix(HandshakeWire.message2BodyByteCount) + [version, cipher.rawValue]
            + ephemeralKey.publicKey.bytes
        let hashA = SHA256.hash(message + header).bytes
        let sealed = sealIdentity(
            key: schedule.key("msg2", pseudoRandomKey: prk, transcriptHash: hashA, cipher: cipher),
            transcriptHash: hashA,
            role: "responder"
        )
        let message2 = header + sealed
        state = .awaitingMessage3(
            transcript: message + message2, pseudoRandomKey: prk, version: version, cipher: cipher
        )
        return message2
    }

    private mutating func accept(
        message3: [UInt8],
        transcript: [UInt8],
        pseudoRandomKey prk: [UInt8],
        version: UInt8,
        cipher: AEADCipher
    ) throws(HandshakeError) -> SecureSession {
        let hash2 = SHA256.hash(transcript).bytes
        let peerKey = try openIdentity(
            sealed: message3[HandshakeWire.lengthPrefixByteCount...],
            key: schedule.key("msg3", pseudoRandomKey: prk, transcriptHash: hash2, cipher: cipher),
            transcriptHash: hash2,
            role: "initiator"
        )
        guard peerKey != configuration.identity.publicKey else { throw .connectedToSelf }
        return makeSession(
            transcript: transcript + message3, pseudoRandomKey: prk, peerKey: peerKey, version: version,
            cipher: cipher
        )
    }

    // MARK: - Shared steps

    private func deriveSecret(with peerEphemeral: X25519PublicKey) throws(HandshakeError) -> [UInt8] {
        do {
            return schedule.pseudoRandomKey(sharedSecret: try ephemeralKey.sharedSecret(with: peerEphemeral))
        } catch {
            throw .weakEphemeralKey
        }
    }

    /// `AEAD(key, nonce 0, ad: transcriptHash, identity key || signature)`.
    private func sealIdentity(key: AEADKey, transcriptHash: [UInt8], role: String) -> [UInt8] {
        let signature = configuration.identity.sign(
            HandshakeKeySchedule.signedMessage(role: role, transcriptHash: transcriptHash)
        )
        return key.seal(
            configuration.identity.publicKey.bytes + signature,
            nonce: AEADNonce(counter: 0),
            associatedData: transcriptHash
        )
    }

    private func openIdentity(sealed: ArraySlice<UInt8>, key: AEADKey, transcriptHash: [UInt8], role: String)
        throws(HandshakeError) -> Ed25519PublicKey
    {
        let opened: [UInt8]
        do {
            opened = try key.open(sealed, nonce: AEADNonce(counter: 0), associatedData: transcriptHash)
        } catch {
            throw .decryptionFailed
        }
        let peerKey = try! Ed25519PublicKey(bytes: opened[0..<Ed25519PublicKey.byteCount])
        let signature = opened[Ed25519PublicKey.byteCount...]
        guard
            peerKey.isValidSignature(
                signature,
                for: HandshakeKeySchedule.signedMessage(role: role, transcriptHash: transcriptHash)
            )
        else { throw .badSignature }
        return peerKey
    }

    private mutating func makeSession(
        transcript: [UInt8],
        pseudoRandomKey prk: [UInt8],
        peerKey: Ed25519PublicKey,
        version: UInt8,
        cipher: AEADCipher
    ) -> SecureSession {
        let hash3 = SHA256.hash(transcript).bytes
        let initiatorToResponder = schedule.key(
            "initiator-to-responder", pseudoRandomKey: prk, transcriptHash: hash3, cipher: cipher
        )
        let responderToInitiator = schedule.key(
            "responder-to-initiator", pseudoRandomKey: prk, transcriptHash: hash3, cipher: cipher
        )
        let outbound = role == .initiator ? initiatorToResponder : responderToInitiator
        let inbound = role == .initiator ? responderToInitiator : initiatorToResponder
        let remainder = buffer
        buffer = []
        state = .done
        return SecureSession(
            peerKey: peerKey,
            version: version,
            cipher: cipher,
            sealer: SecureFrameSealer(key: outbound),
            opener: SecureFrameOpener(key: inbound),
            remainder: remainder,
            transcriptHash: hash3
        )
    }

    // MARK: - Parsing and choosing

    private static func lengthPrefix(_ count: Int) -> [UInt8] {
        [UInt8(count >> 8), UInt8(truncatingIfNeeded: count)]
    }

    /// Versions and cipher IDs of a message 1 whose layout was already checked.
    private static func parseOffers(_ message: [UInt8]) -> (versions: [UInt8], ciphers: [UInt8]) {
        parseOffers(checking: message) ?? ([], [])
    }

    /// Versions and cipher IDs of message 1, or `nil` when the counts or the size do not add up, or a version is
    /// zero or repeated.
    private static func parseOffers(checking message: [UInt8]) -> (versions: [UInt8], ciphers: [UInt8])? {
        var offset = HandshakeWire.lengthPrefixByteCount + HandshakeWire.magic.count
        let versionCount = Int(message[offset])
        guard (1...HandshakeWire.maxVersionCount).contains(versionCount),
            message.count > offset + 1 + versionCount
        else { return nil }
        let versions = Array(message[offset + 1..<offset + 1 + versionCount])
        offset += 1 + versionCount
        let cipherCount = Int(message[offset])
        guard (1...HandshakeWire.maxCipherCount).contains(cipherCount) else { return nil }
        let ciphers = Array(message[offset + 1..<min(message.count, offset + 1 + cipherCount)])
        offset += 1 + cipherCount
        guard offset + X25519PublicKey.byteCount + HandshakeWire.swarmTagByteCount == message.count,
            !versions.contains(0), Set(versions).count == versions.count
        else { return nil }
        return (versions, ciphers)
    }

    private static func highestCommonVersion(_ offered: [UInt8], _ supported: [UInt8]) -> UInt8? {
        offered.filter(supported.contains).max()
    }

    /// AES-256-GCM when both sides list it, else ChaCha20-Poly1305 when both do.
    private static func chooseCipher(_ offered: [UInt8], _ supported: [AEADCipher]) -> AEADCipher? {
        for cipher in [AEADCipher.aes256GCM, .chaCha20Poly1305]
        where offered.contains(cipher.rawValue) && supported.contains(cipher) {
            return cipher
        }
        return nil
    }
}
