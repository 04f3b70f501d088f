import DHTCrypto
import Kademlia

/// Issues and checks write tokens: `HMAC-SHA-256(epoch secret, address)` cut to 16 bytes, where the epoch
/// secret is `HMAC-SHA-256(master secret, epoch number)` and the epoch changes every ``rotation``.
///
/// A token handed out in a `NODES` or `PROVIDERS` reply proves, when it comes back in a `STORE` or
/// `ADD_PROVIDER`, that the requester receives datagrams at its source address; spoofed sources cannot store.
/// Tokens of the current and the previous epoch are accepted, so a token lives between one and two rotations.
/// The epoch secrets are kept as prepared HMAC keys: a token costs two SHA-256 blocks.
struct WriteTokenAuthority: Sendable {
    /// Bytes in a token.
    static let tokenByteCount = 16

    private let masterSecret: [UInt8]
    /// How often the epoch secret changes.
    let rotation: Duration
    private var cachedEpoch: Int64 = .min
    private var cachedKeys: (current: HMACSHA256Key, previous: HMACSHA256Key)?

    init(masterSecret: [UInt8], rotation: Duration) {
        precondition(rotation > .zero, "write-token rotation must be positive")
        self.masterSecret = masterSecret
        self.rotation = rotation
    }

    /// The token for `address` now.
    mutating func token(for address: NodeAddress, now: DHTInstant) -> [UInt8] {
        Self.token(for: address, key: keys(now: now).current)
    }

    /// Whether `token` was issued to `address` in this epoch or the previous one. Constant-time comparison.
    mutating func isValid(_ token: [UInt8], for address: NodeAddress, now: DHTInstant) -> Bool {
        guard token.count == Self.tokenByteCount else { return false }
        let (current, previous) = keys(now: now)
        return ConstantTime.equals(token, Self.token(for: address, key: current))
            || ConstantTime.equals(token, Self.token(for: address, key: previous))
    }

    private mutating func keys(now: DHTInstant) -> (current: HMACSHA256Key, previous: HMACSHA256Key) {
        let epoch = now.nanoseconds / max(1, rotation.nanosecondsClamped)
        if epoch != cachedEpoch || cachedKeys == nil {
            cachedEpoch = epoch
            cachedKeys = (HMACSHA256Key(secret(epoch: epoch)), HMACSHA256Key(secret(epoch: epoch - 1)))
        }
        return cachedKeys!
    }

    private func secret(epoch: Int64) -> [UInt8] {
        withUnsafeBytes(of: UInt64(bitPattern: epoch).bigEndian) {
            HMACSHA256.authenticationCode(for: Array($0), key: masterSecret)
        }
    }

    private static func token(for address: NodeAddress, key: HMACSHA256Key) -> [UInt8] {
        let tag = address.withWireBytes { key.authenticationCode(for: $0) }
        return Array(tag[0..<tokenByteCount])
    }
}

extension NodeAddress {
    /// Calls `body` with the family byte, the address and the port, as a contact carries them on the wire
    /// (7 bytes for IPv4, 19 for IPv6), without allocating.
    func withWireBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        switch host {
        case .ipv4(let address):
            return withUnsafeTemporaryAllocation(byteCount: 7, alignment: 1) { buffer in
                buffer[0] = 4
                buffer.storeBytes(of: address.bigEndian, toByteOffset: 1, as: UInt32.self)
                buffer.storeBytes(of: port.bigEndian, toByteOffset: 5, as: UInt16.self)
                return body(UnsafeRawBufferPointer(buffer))
            }
        case .ipv6(let high, let low):
            return withUnsafeTemporaryAllocation(byteCount: 19, alignment: 1) { buffer in
                buffer[0] = 6
                buffer.storeBytes(of: high.bigEndian, toByteOffset: 1, as: UInt64.self)
                buffer.storeBytes(of: low.bigEndian, toByteOffset: 9, as: UInt64.self)
                buffer.storeBytes(of: port.bigEndian, toByteOffset: 17, as: UInt16.self)
                return body(UnsafeRawBufferPointer(buffer))
            }
        }
    }
}
