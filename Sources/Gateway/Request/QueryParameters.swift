import Foundation

/// A request's query string, split into decoded `name=value` pairs; the first of a repeated name wins.
public struct QueryParameters: Hashable, Sendable {
    private var values: [String: String] = [:]

    /// Parses `a=1&b=2` (`+` is a space, as in forms).
    ///
    /// - Throws: ``GatewayError`` 400 for a query longer than ``GatewayRequest/maxQueryLength`` or bad
    ///   percent-encoding.
    public init(parsing query: some StringProtocol) throws(GatewayError) {
        let text = Substring(query)
        guard text.utf8.count <= GatewayRequest.maxQueryLength else {
            throw .badRequest("the query is longer than \(GatewayRequest.maxQueryLength) bytes")
        }
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count == 2 ? parts[1] : "") else {
                throw .badRequest("the query item '\(GatewayRoot.shown(pair))' is not valid percent-encoded UTF-8")
            }
            if values[name] == nil { values[name] = value }
        }
    }

    /// The value of `name`.
    public subscript(name: String) -> String? { values[name] }

    static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
