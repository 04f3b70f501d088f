/// The message type byte of a DHT datagram (offset 1; docs/PROTOCOL.md, "DHT: datagram layout").
///
/// Requests have the high bit clear, responses have it set. A receiver MUST drop a datagram whose type it does not
/// know (``DHTDatagramError/unknownType(_:)``).
public enum DHTMessageType: UInt8, Hashable, Sendable, CaseIterable {
    /// `PING`: are you there?
    case ping = 0x01
    /// `FIND_NODE(target)`.
    case findNode = 0x02
    /// `FIND_VALUE(key)`.
    case findValue = 0x03
    /// `GET_PROVIDERS(key)`.
    case getProviders = 0x04
    /// `STORE(key, token, ttl, value)`.
    case store = 0x05
    /// `ADD_PROVIDER(key, token)`.
    case addProvider = 0x06
    /// `PUT_RECORD(routing key, token, record)`.
    case putRecord = 0x07
    /// `GET_RECORD(key)`.
    case getRecord = 0x08
    /// `DIAL_BACK(nonce)`: have a third node probe the address this came from.
    case dialBack = 0x09
    /// `DIAL_REQUEST(nonce, target)`: send a probe to this address.
    case dialRequest = 0x0A
    /// `DIAL_PROBE(nonce)`: the probe itself; never answered.
    case dialProbe = 0x0B
    /// `PONG`, the answer to `PING`.
    case pong = 0x81
    /// `NODES(token, contacts)`.
    case nodes = 0x82
    /// `VALUES(values)`.
    case values = 0x83
    /// `PROVIDERS(token, providers, closer)`.
    case providers = 0x84
    /// `STORED(outcome)`.
    case stored = 0x85
    /// `RECORD(token, record, closer)`.
    case record = 0x86
    /// `DIAL_STATUS(status, observed address)`, the answer to `DIAL_BACK` and `DIAL_REQUEST`.
    case dialStatus = 0x87

    /// Whether the type is a response (high bit set).
    public var isResponse: Bool { rawValue & 0x80 != 0 }

    /// Whether the body has a write-token field: `STORE`, `ADD_PROVIDER` and `PUT_RECORD` present one, `NODES`,
    /// `PROVIDERS` and `RECORD` hand one out.
    public var carriesWriteToken: Bool {
        switch self {
        case .store, .addProvider, .putRecord, .nodes, .providers, .record: true
        default: false
        }
    }

    /// The type of a message body.
    public init(_ body: KademliaMessage.Body) {
        switch body {
        case .request(let request):
            switch request {
            case .ping: self = .ping
            case .findNode: self = .findNode
            case .findValue: self = .findValue
            case .getProviders: self = .getProviders
            case .store: self = .store
            case .addProvider: self = .addProvider
            case .getRecord: self = .getRecord
            case .putRecord: self = .putRecord
            case .dialBack: self = .dialBack
            case .dialRequest: self = .dialRequest
            case .dialProbe: self = .dialProbe
            }
        case .response(let response):
            switch response {
            case .pong: self = .pong
            case .nodes: self = .nodes
            case .values: self = .values
            case .providers: self = .providers
            case .stored: self = .stored
            case .record: self = .record
            case .dialStatus: self = .dialStatus
            }
        }
    }
}
