import Blocks
import Exchange

/// One fetch started by ``Node/cat(_:range:)``: the file's verified bytes in order, while the node looks for
/// providers in the background.
///
/// Reading ``bytes`` to its end is the fetch; ending the iteration early cancels it. ``statistics`` is set once
/// ``bytes`` finished (normally or with an error). ``settled()`` waits for the background work: the provider search
/// and making the fetched blocks durable in the store.
public struct ContentFetch: Sendable {
    /// The file's root.
    public let root: CID
    let exchangeFetch: ExchangeFetch
    let background: Task<Void, Never>

    /// The file bytes (of the range, when one was given), in order, each from a verified block.
    ///
    /// Throws ``NodeError/contentUnavailable(_:bytesDelivered:)`` when no block arrived for the configured time,
    /// an ``Exchange/FetchFailure`` when the DAG is not a valid file, and ``Exchange/FetchFailure/cancelled``
    /// when the node stops.
    public var bytes: FetchByteStream { exchangeFetch.bytes }

    /// The final statistics (time to first and last byte, bytes per peer, duplicates); `nil` while it runs.
    public var statistics: FetchStatistics? { exchangeFetch.statistics }

    /// Returns once the provider search stopped and the fetched blocks were flushed to the store.
    public func settled() async { await background.value }
}
