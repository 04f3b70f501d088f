import DHTCrypto
import SecureChannel
import Testing

@Suite struct HandshakeTests {
    @Test(arguments: AEADCipher.available)
    func roundTripAuthenticatesBothSides(cipher: AEADCipher) throws {
        let run = runHandshake(
            initiator: Fixture.configuration(1, ciphers: [cipher, .chaCha20Poly1305]),
            responder: Fixture.configuration(2, ciphers: [cipher, .chaCha20Poly1305])
        )
        let initiator = try #require(run.initiator.session)
        let responder = try #require(run.responder.session)
        #expect(initiator.peerKey == Fixture.identity(2).publicKey)
        #expect(responder.peerKey == Fixture.identity(1).publicKey)
        #expect(initiator.cipher == cipher && responder.cipher == cipher)
        #expect(initiator.version == 1 && responder.version == 1)
        #expect(initiator.transcriptHash == responder.transcriptHash)
        #expect(initiator.remainder.isEmpty && responder.remainder.isEmpty)
        #expect(run.message2.count == 2 + HandshakeWire.message2BodyByteCount)
        #expect(run.message3.count == 2 + HandshakeWire.message3BodyByteCount)

        var (sealer, opener) = (initiator.sealer, responder.opener)
        let decoder = SecureFrameDecoder(opener: opener)
        decoder.append(try sealer.seal(Array("hello".utf8)))
        #expect(try decoder.nextFrame() == Array("hello".utf8))
        var back = responder.sealer
        opener = initiator.opener
        let reverse = SecureFrameDecoder(opener: opener)
        reverse.append(try back.seal(Array("world".utf8)))
        #expect(try reverse.nextFrame() == Array("world".utf8))
    }

    @Test func aesGCMOnlyWhenBothSidesOfferIt() throws {
        guard AEADCipher.aes256GCM.isAvailable else { return }
        let both = runHandshake(
            initiator: Fixture.configuration(1, ciphers: [.aes256GCM, .chaCha20Poly1305]),
            responder: Fixture.configuration(2, ciphers: [.chaCha20Poly1305, .aes256GCM])
        )
        #expect(both.initiator.session?.cipher == .aes256GCM)
        let one = runHandshake(
            initiator: Fixture.configuration(1, ciphers: [.aes256GCM, .chaCha20Poly1305]),
            responder: Fixture.configuration(2, ciphers: [.chaCha20Poly1305])
        )
        #expect(one.initiator.session?.cipher == .chaCha20Poly1305)
        #expect(one.responder.session?.cipher == .chaCha20Poly1305)
    }

    @Test func highestCommonVersionIsChosen() {
        let run = runHandshake(
            initiator: Fixture.configuration(1, versions: [1, 2, 3]),
            responder: Fixture.configuration(2, versions: [2, 1, 4])
        )
        #expect(run.initiator.session?.version == 2)
        #expect(run.responder.session?.version == 2)
        let none = runHandshake(
            initiator: Fixture.configuration(1, versions: [3]),
            responder: Fixture.configuration(2, versions: [1, 2])
        )
        #expect(none.responder.error == .noCommonVersion)
        #expect(none.message2.isEmpty, "a failing responder sends nothing")
    }

    @Test func sameSwarmKeyConnects() {
        let key = try! SwarmKey(bytes: [UInt8](repeating: 7, count: 32))
        let run = runHandshake(
            initiator: Fixture.configuration(1, swarmKey: key), responder: Fixture.configuration(2, swarmKey: key))
        #expect(run.initiator.session != nil && run.responder.session != nil)
        let open = runHandshake(initiator: Fixture.configuration(1), responder: Fixture.configuration(2))
        #expect(open.initiator.session?.transcriptHash != run.initiator.session?.transcriptHash)
    }

    /// A responder refuses an initiator with another swarm key, with none, or with one when it has none; it sends
    /// nothing back.
    @Test(arguments: [(UInt8(7), UInt8(8)), (0, 7), (7, 0)])
    func responderRefusesAnotherSwarm(initiatorKey: UInt8, responderKey: UInt8) {
        func key(_ n: UInt8) -> SwarmKey? { n == 0 ? nil : try! SwarmKey(bytes: [UInt8](repeating: n, count: 32)) }
        let run = runHandshake(
            initiator: Fixture.configuration(1, swarmKey: key(initiatorKey)),
            responder: Fixture.configuration(2, swarmKey: key(responderKey))
        )
        #expect(run.responder.error == .swarmKeyMismatch)
        #expect(run.message2.isEmpty)
        #expect(run.initiator.session == nil)
    }

    /// An all-zero swarm key is not the same as none: the labels differ.
    @Test func zeroSwarmKeyIsNotOpen() {
        let zero = try! SwarmKey(bytes: [UInt8](repeating: 0, count: 32))
        let run = runHandshake(initiator: Fixture.configuration(1, swarmKey: zero), responder: Fixture.configuration(2))
        #expect(run.responder.error == .swarmKeyMismatch)
    }

    /// An initiator refuses a message 2 made in another swarm: here a responder of swarm B answered a message 1
    /// that an initiator of swarm B with the same ephemeral key sent, and the message 2 reaches an initiator of A.
    @Test func initiatorRefusesAnotherSwarm() {
        let keyA = try! SwarmKey(bytes: [UInt8](repeating: 1, count: 32))
        let keyB = try! SwarmKey(bytes: [UInt8](repeating: 2, count: 32))
        let runB = runHandshake(
            initiator: Fixture.configuration(1, swarmKey: keyB), responder: Fixture.configuration(2, swarmKey: keyB))
        var initiatorA = SecureChannelHandshake.initiator(
            configuration: Fixture.configuration(1, swarmKey: keyA), ephemeralKey: Fixture.ephemeral(101))
        _ = initiatorA.start()
        let directives = initiatorA.receive(runB.message2)
        #expect(directives.outcome.error == .decryptionFailed)
        #expect(directives.sent.isEmpty)
    }

    @Test func expectedPeerKeyMismatchFails() {
        let wrong = Fixture.identity(9).publicKey
        let run = runHandshake(
            initiator: Fixture.configuration(1), responder: Fixture.configuration(2), expectedPeerKey: wrong)
        #expect(run.initiator.error == .unexpectedPeer(Fixture.identity(2).publicKey))
        #expect(run.message3.isEmpty, "the initiator reveals nothing after a mismatch")
        let right = runHandshake(
            initiator: Fixture.configuration(1), responder: Fixture.configuration(2),
            expectedPeerKey: Fixture.identity(2).publicKey)
        #expect(right.initiator.session != nil)
    }

    @Test func connectingToSelfFails() {
        let run = runHandshake(initiator: Fixture.configuration(1), responder: Fixture.configuration(1))
        #expect(run.initiator.error == .connectedToSelf)
    }

    /// Every bit flip in the body of each message fails the handshake on the side that receives it.
    @Test(arguments: [1, 2, 3])
    func tamperingWithAnyByteFails(step: Int) {
        let clean = runHandshake(initiator: Fixture.configuration(1), responder: Fixture.configuration(2))
        let count = [clean.message1, clean.message2, clean.message3][step - 1].count
        for index in 2..<count {
            let run = runHandshake(initiator: Fixture.configuration(1), responder: Fixture.configuration(2)) {
                if $0 == step { $1[index] ^= 0x10 }
            }
            let failed = step == 2 ? run.initiator.error : run.responder.error
            #expect(failed != nil, "step \(step), byte \(index)")
            #expect(run.initiator.session == nil || run.responder.session == nil)
            #expect(run.responder.session == nil, "step \(step), byte \(index)")
        }
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\n\r\n", HandshakeError.badLength(0x4745)),
        ("\u{0}\u{3c}" + String(repeating: "x", count: 60), .badMagic),
        ("\u{0}\u{1}", .badLength(1)),
    ])
    func garbageFailsTheResponder(text: String, error: HandshakeError) {
        var responder = SecureChannelHandshake.responder(
            configuration: Fixture.configuration(2), ephemeralKey: Fixture.ephemeral(102))
        _ = responder.start()
        let directives = responder.receive(Array(text.utf8))
        #expect(directives.outcome.error == error)
        #expect(directives.sent.isEmpty)
        #expect(responder.receive([1, 2, 3]).isEmpty, "a failed handshake ignores later bytes")
    }

    @Test func malformedOffersFail() {
        let clean = runHandshake(initiator: Fixture.configuration(1), responder: Fixture.configuration(2))
        for (index, value) in [(10, UInt8(0)), (10, 17), (11, 0), (12, 0), (12, 9)] {
            var message = clean.message1
            message[index] = value
            var responder = SecureChannelHandshake.responder(
                configuration: Fixture.configuration(2), ephemeralKey: Fixture.ephemeral(102))
            #expect(responder.receive(message).outcome.error == .malformed, "byte \(index) = \(value)")
        }
    }

    /// Bytes may arrive one at a time; frames sent right after message 3 come out as the remainder.
    @Test func byteByByteDeliveryAndRemainder() throws {
        var initiator = SecureChannelHandshake.initiator(
            configuration: Fixture.configuration(1), ephemeralKey: Fixture.ephemeral(101))
        var responder = SecureChannelHandshake.responder(
            configuration: Fixture.configuration(2), ephemeralKey: Fixture.ephemeral(102))
        var toResponder = initiator.start().sent
        var toInitiator: [UInt8] = []
        var initiatorSession: SecureSession?
        for byte in toResponder {
            toInitiator += responder.receive([byte]).sent
        }
        for byte in toInitiator {
            let directives = initiator.receive([byte])
            toResponder = directives.sent
            initiatorSession = directives.outcome.session ?? initiatorSession
        }
        var sealer = try #require(initiatorSession).sealer
        let frame = try sealer.seal([42, 43])
        var session: SecureSession?
        for (index, byte) in (toResponder + frame).enumerated() {
            let directives = responder.receive([byte])
            if let established = directives.outcome.session {
                session = established
                #expect(index == toResponder.count - 1)
            }
        }
        var established = try #require(session)
        #expect(established.remainder.isEmpty, "bytes after the established step are the shell's")
        let again = runHandshake(initiator: Fixture.configuration(1), responder: Fixture.configuration(2))
        var right = SecureChannelHandshake.responder(
            configuration: Fixture.configuration(2), ephemeralKey: Fixture.ephemeral(102))
        _ = right.receive(again.message1)
        established = try #require(right.receive(again.message3 + frame).outcome.session)
        #expect(established.remainder == frame)
        let decoder = SecureFrameDecoder(opener: established.opener)
        decoder.append(established.remainder)
        #expect(try decoder.nextFrame() == [42, 43])
    }
}

@Suite struct HandshakeFailureSendsNothingTests {
    /// Message 1 and a bad message 3 in one read: the responder fails without answering message 1.
    @Test func noAnswerWhenTheSameReadFails() {
        let run = runHandshake(initiator: Fixture.configuration(1), responder: Fixture.configuration(2))
        var responder = SecureChannelHandshake.responder(
            configuration: Fixture.configuration(2), ephemeralKey: Fixture.ephemeral(102))
        let directives = responder.receive(run.message1 + [0xff, 0xff])
        #expect(directives.outcome.error == .badLength(0xffff))
        #expect(directives.sent.isEmpty)
    }
}
