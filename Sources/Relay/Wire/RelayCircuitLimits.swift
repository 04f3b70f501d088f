/// The caps on one relayed connection, as the relay announces them: bytes (both directions together) and seconds.
public struct RelayCircuitLimits: Hashable, Sendable {
    /// Bytes the relay forwards on the circuit, both directions counted; then it cuts the circuit.
    public var bytes: UInt64
    /// Seconds the circuit may stay open; then the relay cuts it.
    public var seconds: UInt32

    /// Caps of `bytes` and `seconds`.
    public init(bytes: UInt64, seconds: UInt32) {
        self.bytes = bytes
        self.seconds = seconds
    }

    /// No circuit at all: what a refusal carries.
    public static let none = RelayCircuitLimits(bytes: 0, seconds: 0)

    /// 8 bytes, then 4.
    func append(to output: inout [UInt8]) {
        RelayMessage.append(bytes, bytes: 8, to: &output)
        RelayMessage.append(UInt64(seconds), bytes: 4, to: &output)
    }
}
