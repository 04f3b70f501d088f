import DHTNode
import Foundation
import Exchange

/// The HTTP sources a fetch request names, as query items of `GET /v1/cat/{cid}`: `trustless-gateway=URL` and
/// `origin=URL` (repeatable, percent-encoded) and `origin-policy=fallback|prefetch|head-start|mixed`.
public struct HTTPSourceQuery: Hashable, Sendable {
    /// Trustless gateway base URLs.
    public var trustlessGateways: [String]
    /// Origin URLs (the file's bytes).
    public var origins: [String]
    /// The origin policy's name; `nil` for the daemon's.
    public var originPolicy: String?

    /// A query.
    public init(trustlessGateways: [String] = [], origins: [String] = [], originPolicy: String? = nil) {
        self.trustlessGateways = trustlessGateways
        self.origins = origins
        self.originPolicy = originPolicy
    }

    /// Whether it names nothing (the daemon's defaults apply).
    public var isEmpty: Bool { trustlessGateways.isEmpty && origins.isEmpty && originPolicy == nil }

    /// The query items, each percent-encoded, joined with `&` (empty for none).
    public var queryItems: [String] {
        trustlessGateways.map { "trustless-gateway=\(Self.encode($0))" } + origins.map { "origin=\(Self.encode($0))" }
            + (originPolicy.map { ["origin-policy=\($0)"] } ?? [])
    }

    /// The fetch's sources: these gateways under this policy, over `defaults` (the daemon's) for what is not named.
    ///
    /// - Throws: ``APIError`` 400 for a URL that is not a gateway URL or an unknown policy.
    func sources(over defaults: FetchSources) throws -> FetchSources {
        var sources = defaults
        if !trustlessGateways.isEmpty {
            var gateways: [HTTPSource] = []
            for url in trustlessGateways {
                do {
                    gateways.append(try HTTPSource(url: url))
                } catch {
                    throw APIError.badRequest("trustless-gateway: \(error.description)")
                }
            }
            sources.trustlessGateways = gateways
        }
        if !origins.isEmpty {
            var parsed: [HTTPSource] = []
            for url in origins {
                do {
                    parsed.append(try HTTPSource(kind: .origin, url: url))
                } catch {
                    throw APIError.badRequest("origin: \(error.description)")
                }
            }
            sources.origins = parsed
        }
        if let originPolicy {
            guard let policy = OriginPolicy(rawValue: originPolicy) else {
                throw APIError.badRequest(
                    "origin-policy '\(originPolicy.prefix(40))' is not one of "
                        + OriginPolicy.allCases.map(\.rawValue).joined(separator: ", "))
            }
            sources.policy = policy
        }
        return sources
    }

    /// RFC 3986's unreserved characters; everything else in a URL given as a query value is percent-encoded.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
