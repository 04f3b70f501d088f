import DHTCrypto
import Kademlia

/// Issues and checks write tokens: `HMAC-SHA-256(epoch secret, address)` cut to 16 bytes, where the epoch
/// secret is `HMAC-SHA-256(master secret, epoch number)` and the epoch changes every ``rotation``.
///
/// A token handed out in a `NODES` or `PROVIDERS` reply proves, when it comes back in a `STORE` or
/// `ADD_PROVIDER`, that the requester receives datagrams at its source address; spoofed sources cannot store.
/// Tokens of the current and the previous epoch are accepted, so a token lives between one and two rotations.
struct WriteTokenAuthority: Sendable {
    /// Bytes in a token.
    static let tokenByteCount = 16

    private let masterSecret: [UInt8]
    /// How often the epoch secret changes.
    let rotation: Duration
    private var cachedEpoch: Int64 = .min
    private var cachedSecrets: (current: [UInt8], previous: [UInt8]) = ([], [])

    init(masterSecret: [UInt8], rotation: Duration) {
        precondition(rotation > .zero, "write-token rotation must be positive")
        self.masterSecret = masterSecret
        self.rotation = rotation
    }

    /// The token for `address` now.
    mutating func token(for address: NodeAddress, now: DHTInstant) -> [UInt8] {
        Self.token(for: address, secret: secrets(now: now).current)
    }

    /// Whether `token` was issued to `address` in this epoch or the previous one. Constant-time comparison.
    mutating func isValid(_ token: [UInt8], for address: NodeAddress, now: DHTInstant) -> Bool {
        guard token.count == Self.tokenByteCount else { return false }
        let (current, previous) = secrets(now: now)
        return ConstantTime.equals(token, Self.token(for: address, secret: current))
            || ConstantTime.equals(token, Self.token(for: address, secret: previous))
    }

    private mutating func secrets(now: DHTInstant) -> (current: [UInt8], previous: [UInt8]) {
        let epoch = now.nanoseconds / max(1, rotation.nanosecondsClamped)
        if epoch != cachedEpoch {
            cachedEpoch = epoch
            cachedSecrets = (secret(epoch: epoch), secret(epoch: epoch - 1))
        }
        return cachedSecrets
    }

    private func secret(epoch: Int64) -> [UInt8] {
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: epoch) >> UInt64(56 - 8 * $0)) }
        return HMACSHA256.authenticationCode(for: bytes, key: masterSecret)
    }

    private static func token(for address: NodeAddress, secret: [UInt8]) -> [UInt8] {
        Array(HMACSHA256.authenticationCode(for: address.wireBytes, key: secret).prefix(tokenByteCount))
    }
}

extension NodeAddress {
    /// The family byte, the address and the port, as a contact carries them on the wire.
    var wireBytes: [UInt8] {
        var bytes: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) {
            for shift in stride(from: T.bitWidth - 8, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: value >> shift))
            }
        }
        switch host {
        case .ipv4(let address):
            bytes.append(4)
            append(address)
        case .ipv6(let high, let low):
            bytes.append(6)
            append(high)
            append(low)
        }
        append(port)
        return bytes
    }
}
