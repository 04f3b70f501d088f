import Foundation
import Testing

@testable import DHTCrypto

@Suite("Swarm key files and sealed datagrams")
struct SwarmKeyFileTests {
    @Test("a generated key file parses back to its key; malformed files name what is wrong")
    func roundTrip() throws {
        let key = SwarmKey.generate()
        let text = SwarmKeyFile.text(for: key)
        #expect(text.hasPrefix("/key/swarm/psk/1.0.0/\n/base16/\n"))
        #expect(try SwarmKeyFile.parse(text) == key)
        #expect(try SwarmKeyFile.parse(text.replacingOccurrences(of: "\n", with: "\r\n")) == key)
        #expect(throws: SwarmKeyFileError.self) { try SwarmKeyFile.parse("/key/swarm/psk/1.0.0/\n/base64/\nAAAA\n") }
        #expect(throws: SwarmKeyFileError.self) { try SwarmKeyFile.parse(String(text.dropLast(3))) }
        #expect(throws: SwarmKeyFileError.self) { try SwarmKeyFile.parse(text + "extra\n") }
    }

    @Test("a key file readable by others is refused with the chmod to run")
    func permissions() throws {
        let path = NSTemporaryDirectory() + "swarm-\(UUID().uuidString).key"
        defer { unlink(path) }
        let key = SwarmKey.generate()
        try SwarmKeyFile.text(for: key).write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o644)
        #expect(throws: SwarmKeyFileError.tooOpen(path, mode: 0o644)) { try SwarmKeyFile.load(path: path) }
        #expect(SwarmKeyFileError.tooOpen(path, mode: 0o644).description.contains("chmod 600"))
        chmod(path, 0o600)
        #expect(try SwarmKeyFile.load(path: path) == key)
    }

    @Test("sealed datagrams open with the same key only, and any changed byte fails")
    func sealing() {
        let key = SwarmKey.generate()
        let sealer = DatagramSealer(swarmKey: key)
        let datagram = Array("a datagram".utf8)
        let sealed = sealer.seal(datagram)
        #expect(sealed.count == datagram.count + DatagramSealer.overheadByteCount)
        #expect(sealer.open(sealed) == datagram)
        #expect(DatagramSealer(swarmKey: key).open(sealed) == datagram)
        #expect(DatagramSealer(swarmKey: .generate()).open(sealed) == nil)
        var changed = sealed
        changed[30] ^= 1
        #expect(sealer.open(changed) == nil)
        #expect(sealer.open(Array(sealed.prefix(39))) == nil)
        #expect(sealer.seal(datagram) != sealed)  // a fresh nonce each time
        #expect(sealer.open(sealer.seal([])) == [])
    }
}
