/// A field of a DHT datagram, named in decoding errors so that a dropped datagram says what was wrong.
public enum DHTDatagramField: String, Hashable, Sendable, CaseIterable {
    /// The version byte (offset 0).
    case version
    /// The message type byte (offset 1).
    case type
    /// The flags byte (offset 2).
    case flags
    /// The 64-bit transaction ID (offset 3).
    case transactionID = "transaction ID"
    /// The sender's 32-byte Ed25519 public key (offset 11).
    case senderKey = "sender key"
    /// The target ID of `FIND_NODE`.
    case target
    /// The record key of `FIND_VALUE`, `GET_PROVIDERS`, `STORE` and `ADD_PROVIDER`.
    case key
    /// The length byte of a write token.
    case tokenLength = "token length"
    /// The bytes of a write token.
    case token
    /// The lifetime of a `STORE`, in seconds.
    case ttl
    /// The 2-byte length of a value.
    case valueLength = "value length"
    /// The bytes of a value.
    case value
    /// The count byte of a `VALUES` list.
    case valueCount = "value count"
    /// The publisher ID of a value.
    case publisher
    /// The count byte of a contact list.
    case contactCount = "contact count"
    /// The node ID of a contact.
    case contactID = "contact ID"
    /// The address family byte of a contact (4 or 6).
    case addressFamily = "address family"
    /// The number of relays an `ADD_PROVIDER` names.
    case relayCount = "relay count"
    /// The 4 or 16 address bytes of a contact.
    case address
    /// The 2-byte port of a contact.
    case port
    /// The length byte of a `PUT_RECORD`'s routing key.
    case routingKeyLength = "routing key length"
    /// The routing key of a `PUT_RECORD`.
    case routingKey = "routing key"
    /// The 2-byte length of a mutable record.
    case recordLength = "record length"
    /// The bytes of a mutable record.
    case record
    /// The outcome byte of `STORED`.
    case storeOutcome = "store outcome"
    /// The 8-byte nonce of `DIAL_BACK`, `DIAL_REQUEST` and `DIAL_PROBE`.
    case nonce
    /// The status byte of `DIAL_STATUS`.
    case dialStatus = "dial status"
    case signature
}
