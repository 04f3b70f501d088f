/// The version `dhtnode --version` prints: the package's release, raised with each tagged release (the wire
/// formats carry their own version fields; docs/PROTOCOL.md).
enum ToolVersion {
    static let current = "0.1.0"
}
