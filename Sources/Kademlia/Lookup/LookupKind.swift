/// What an iterative lookup asks each contact.
public enum LookupKind: Hashable, Sendable {
    /// FIND_NODE: the k closest nodes to the target.
    case findNode
    /// FIND_VALUE: the values under the target key; ends at the first contact that has one.
    case findValue
    /// GET_PROVIDERS: the providers of the target key, gathered along the way.
    case getProviders
    /// GET_RECORD: the mutable records under the target key, gathered from several of the closest nodes.
    case getRecord

    func request(for target: NodeID) -> KademliaRequest {
        switch self {
        case .findNode: .findNode(target)
        case .findValue: .findValue(target)
        case .getProviders: .getProviders(target)
        case .getRecord: .getRecord(target)
        }
    }
}
