/// The reasons why the control API's last streamed answers stopped after their status went out, by stream ID, for
/// `GET /v1/failures/{id}`. Holds at most ``capacity`` failures, the oldest dropped first.
actor StreamFailures {
    static let capacity = 64

    private var nextID: UInt64 = 1
    private var failures: [UInt64: StreamFailureDocument] = [:]
    private var order: [UInt64] = []

    /// A new stream ID, for the `X-Stream-Id` of an answer about to stream.
    func open() -> UInt64 {
        defer { nextID += 1 }
        return nextID
    }

    /// Keeps `failure` under its ID.
    func record(_ failure: StreamFailureDocument) {
        if failures.updateValue(failure, forKey: failure.id) == nil {
            order.append(failure.id)
            if order.count > Self.capacity { failures[order.removeFirst()] = nil }
        }
    }

    /// The failure of stream `id`, if it failed and is still held.
    func failure(of id: UInt64) -> StreamFailureDocument? { failures[id] }
}
