extension KademliaInstance {
    /// What the core expects of the answer to one of its requests: for a shell that checks answers before the
    /// core sees them (a UDP node drops a `PONG` whose signature fails, or an answer from the wrong key).
    public struct ExpectedAnswer: Hashable, Sendable {
        /// The address the request went to; the answer must come from it.
        public var address: NodeAddress
        /// The node asked, when the core knew its ID (not for bootstrap seeds).
        public var nodeID: NodeID?
        /// The request.
        public var request: KademliaRequest
        /// Whether the request is a ping to verify an unknown node that sent us a request (its address has proven
        /// nothing yet: a shell counts such pings in what it may send there).
        public var isVerification: Bool
    }

    /// The expected answer to the pending request `transactionID`, or `nil` when none is pending.
    public func expectedAnswer(to transactionID: TransactionID) -> ExpectedAnswer? {
        guard let request = pending[transactionID] else { return nil }
        var isVerification = false
        if case .verification = request.purpose { isVerification = true }
        return ExpectedAnswer(
            address: request.address,
            nodeID: request.expectedID,
            request: request.request,
            isVerification: isVerification
        )
    }
}
