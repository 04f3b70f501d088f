import ArgumentParser
import Blocks

/// A failure reported as one line on stderr (`Error: …`) with a non-zero exit status.
///
/// Typed errors from Blocks are printed with their own `description`; a corrupt block met while reading a DAG is
/// reported once, naming its CID and its file.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) {
        self.description = message
    }

    /// Wraps a typed error from Blocks (or anything else) as its one-line description.
    init(_ error: any Error) {
        switch error {
        case let error as CLIError: self = error
        case let DAGReadError.store(_, inner): self.description = inner.description
        case let error as CustomStringConvertible: self.description = error.description
        default: self.description = "\(error)"
        }
    }
}

/// Runs `body`, turning any error it throws into a ``CLIError``.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as CLIError {
        throw error
    } catch {
        throw CLIError(error)
    }
}

/// Parses a CID argument, saying which argument was wrong.
func parseCID(_ text: String, what: String = "CID") throws -> CID {
    do {
        return try CID(parsing: text)
    } catch {
        throw CLIError("invalid \(what) '\(text)': \(error.description)")
    }
}
