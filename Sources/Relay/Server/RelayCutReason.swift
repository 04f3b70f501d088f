/// Why a relay cut a circuit.
public enum RelayCutReason: String, Hashable, Sendable, CaseIterable {
    /// It carried its byte cap.
    case bytes
    /// It was open for its time cap.
    case time
}
