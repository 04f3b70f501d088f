import Blocks
import Exchange
import Synchronization

/// One fetch started by ``ExchangeNode/fetch(_:range:)``: its bytes in file order, then its statistics.
///
/// ``bytes`` yields verified file bytes in order, starting at the range's lower bound, and finishes when every
/// byte was delivered; it throws a ``Exchange/FetchFailure`` when the fetch fails, or
/// ``Exchange/FetchFailure/cancelled`` when the node closes. Ending the iteration early (dropping the stream or
/// cancelling the task that reads it) cancels the fetch.
public struct ExchangeFetch: Sendable {
    /// The fetch's name in the node's ``Exchange/ExchangeInstance``.
    public let id: FetchID
    /// The file bytes, in order; the fetch reads ahead of what was taken from here by at most about
    /// ``Exchange/ExchangeConfiguration/readAheadBytes``.
    public let bytes: FetchByteStream
    let outcome: Outcome

    /// The final statistics: set before ``bytes`` finishes (normally or with an error), `nil` while it runs.
    public var statistics: FetchStatistics? { outcome.statistics.withLock { $0 } }

    /// The leaves a fetch started with `referencesLeaves` did not store, as references to their offsets in the
    /// file (``Exchange/ExchangeDirective/referenceLeaf(_:_:)``): complete once ``bytes`` finished. Whoever wrote
    /// the bytes to a file may keep them with ``Blocks/FileBlockStore/addReferences(_:inFile:name:)``.
    public var leafReferences: [FileReference] { outcome.references.withLock { $0 } }

    /// The statistics cell shared with the node; the node writes it once, before it finishes ``bytes``.
    final class Outcome: Sendable {
        let statistics = Mutex<FetchStatistics?>(nil)
        let references = Mutex<[FileReference]>([])
    }
}
