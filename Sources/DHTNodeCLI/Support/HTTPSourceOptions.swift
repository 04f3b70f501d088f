import ArgumentParser
import DHTDaemon
import DHTNode
import Exchange

/// `--trustless-gateway URL`, `--origin URL` and `--origin-policy`: HTTP sources a fetch may draw from besides peers,
/// the same in `get`, `cat` and `run` (where they are the daemon's defaults).
struct HTTPSourceOptions: ParsableArguments {
    @Option(
        name: .customLong("trustless-gateway"),
        help: ArgumentHelp(
            "A trustless gateway to fetch blocks from besides peers (repeatable); every block is verified.",
            valueName: "url")
    )
    var trustlessGateways: [String] = []

    @Option(
        name: .customLong("origin"),
        help: ArgumentHelp(
            "A URL serving the file's bytes, read by Range for its leaves, each verified against its CID (repeatable).",
            valueName: "url")
    )
    var origins: [String] = []

    @Option(
        name: .customLong("origin-policy"),
        help: ArgumentHelp(
            "When HTTP sources join a fetch: fallback (only when peers deliver nothing for 2 s), prefetch, "
                + "head-start or mixed (throughout).",
            valueName: "policy")
    )
    var originPolicy: String?

    func validate() throws {
        for url in trustlessGateways {
            do {
                _ = try HTTPSource(url: url)
            } catch {
                throw ValidationError("--trustless-gateway: \(error.description)")
            }
        }
        for url in origins {
            do {
                _ = try HTTPSource(kind: .origin, url: url)
            } catch {
                throw ValidationError("--origin: \(error.description)")
            }
        }
        if let originPolicy, OriginPolicy(rawValue: originPolicy) == nil {
            throw ValidationError(
                "--origin-policy '\(originPolicy)' is not one of "
                    + OriginPolicy.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    /// The options as the control API's query.
    var query: HTTPSourceQuery {
        HTTPSourceQuery(trustlessGateways: trustlessGateways, origins: origins, originPolicy: originPolicy)
    }
}
