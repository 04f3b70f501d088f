import DHTCrypto
import Kademlia

extension NodeID {
    /// The record key a user means by `text`: 64 hex digits are the key itself; anything else is hashed
    /// (SHA-256 of its UTF-8 bytes), so `dhtnode put greeting hello` and `get greeting` agree.
    public init(naming text: String) {
        if text.utf8.count == 2 * NodeID.byteCount, let key = try? NodeID(hex: text) {
            self = key
        } else {
            self = NodeID(hashing: Array(text.utf8))
        }
    }
}

extension NodeID {
    /// SHA-256 of `bytes` as a key.
    public init(hashing bytes: [UInt8]) {
        self = NodeID(publicKeyBytes: bytes)
    }
}
