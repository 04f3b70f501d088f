import Blocks
import Exchange
import NIOPosix

/// One fetch started by ``Node/cat(_:range:)``: the file's verified bytes in order, while the node looks for
/// providers in the background.
///
/// Reading ``bytes`` to its end is the fetch; cancelling the task that reads it, or ``cancel()``, stops it.
/// ``statistics`` is set once ``bytes`` finished (normally or with an error). ``settled()`` makes the fetched blocks
/// durable in the store; the provider search stops by itself shortly after the fetch ended (and flushes the store
/// too).
public struct ContentFetch: Sendable {
    /// The file's root.
    public let root: CID
    let exchangeFetch: ExchangeFetch
    let exchange: ExchangeNode<AnyContentStore>
    let background: Task<Void, Never>
    let store: any ContentStore
    /// The HTTP sources the fetch may draw from, by their exchange names: their URLs.
    public let httpSources: [ExchangePeer: String]

    /// The file bytes (of the range, when one was given), in order, each from a verified block.
    ///
    /// Throws ``NodeError/contentUnavailable(_:bytesDelivered:)`` when no block arrived for the configured time,
    /// an ``Exchange/FetchFailure`` when the DAG is not a valid file, and ``Exchange/FetchFailure/cancelled``
    /// when the node stops.
    public var bytes: FetchByteStream { exchangeFetch.bytes }

    /// The final statistics (time to first and last byte, bytes per peer, duplicates); `nil` while it runs.
    public var statistics: FetchStatistics? { exchangeFetch.statistics }

    /// For a fetch from ``Node/catReferencingLeaves(_:sources:)``: the leaves it did not store, each with its offset
    /// in the file; complete once ``bytes`` ended.
    public var leafReferences: [FileReference] { exchangeFetch.leafReferences }

    /// Stops the fetch: requests still out are cancelled at their peers, and ``bytes`` ends with
    /// ``Exchange/FetchFailure/cancelled``. For a reader that stops reading without its task being cancelled (a
    /// client that went away while its answer streamed); harmless once the fetch ended.
    public func cancel() async {
        await exchange.cancel(exchangeFetch.id)
    }

    /// The statistics so far, while it runs (the file's size once its root arrived, bytes and blocks per peer);
    /// `nil` once it ended (then ``statistics`` holds them).
    public func progress() async -> FetchStatistics? { await exchange.progress(of: exchangeFetch.id) }

    /// Call after ``bytes`` ended: flushes the fetched blocks to the store (on the thread pool), without waiting for
    /// the provider search to notice that the fetch ended.
    ///
    /// - Throws: the store's error when the blocks cannot be made durable.
    public func settled() async throws {
        try await NIOThreadPool.singleton.runIfActive { [store] in try store.flush() }
    }

    /// Waits for a fetch that only fills the store to end, then for its blocks to be durable (also when it
    /// failed: what arrived is kept).
    func stored() async throws {
        do {
            for try await _ in bytes {}
        } catch {
            try? await settled()
            throw error
        }
        try await settled()
    }
}
