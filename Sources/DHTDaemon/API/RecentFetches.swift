import Blocks
import DHTNode

/// The statistics of the last fetches the daemon made, by root, for `GET /v1/fetches/{cid}`: a streamed `cat`
/// answers with bytes only, and `dhtnode get --stats` asks afterwards what the fetch behind them took. Holds at
/// most ``capacity`` roots, the oldest dropped first.
actor RecentFetches {
    static let capacity = 64

    private var documents: [CID: FetchDocument] = [:]
    private var order: [CID] = []

    /// Keeps `document` as the last fetch of `root`.
    func record(_ document: FetchDocument, for root: CID) {
        if documents.updateValue(document, forKey: root) == nil {
            order.append(root)
            if order.count > Self.capacity { documents[order.removeFirst()] = nil }
        }
    }

    /// Keeps what `fetch` took as the last fetch of its root, if it ended.
    func record(_ fetch: ContentFetch) {
        guard let statistics = fetch.statistics else { return }
        record(FetchDocument(cid: fetch.root.description, statistics, httpSources: fetch.httpSources), for: fetch.root)
    }

    /// The last fetch of `root`, if it is still held.
    func last(of root: CID) -> FetchDocument? { documents[root] }
}
