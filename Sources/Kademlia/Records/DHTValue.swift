/// A value held in the DHT: the bytes and the node that published them.
///
/// Several publishers can store a value under the same key; each publisher has at most one value per key.
public struct DHTValue: Hashable, Sendable {
    /// The node that stored the value (the sender of the STORE).
    public var publisher: NodeID
    /// The value's bytes.
    public var data: [UInt8]

    /// Creates a value.
    public init(publisher: NodeID, data: [UInt8]) {
        self.publisher = publisher
        self.data = data
    }
}
