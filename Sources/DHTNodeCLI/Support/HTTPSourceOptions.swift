import ArgumentParser
import DHTDaemon
import DHTNode
import Exchange

/// `--trustless-gateway URL` and `--origin-policy`: HTTP sources a fetch may draw from besides peers, the same in
/// `get`, `cat` and `run` (where they are the daemon's defaults).
struct HTTPSourceOptions: ParsableArguments {
    @Option(
        name: .customLong("trustless-gateway"),
        help: ArgumentHelp(
            "A trustless gateway to fetch blocks from besides peers (repeatable); every block is verified.",
            valueName: "url")
    )
    var trustlessGateways: [String] = []

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
                _ = try TrustlessGatewaySource(url: url)
            } catch {
                throw ValidationError("--trustless-gateway: \(error.description)")
            }
        }
        if let originPolicy, OriginPolicy(rawValue: originPolicy) == nil {
            throw ValidationError(
                "--origin-policy '\(originPolicy)' is not one of "
                    + OriginPolicy.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    /// The options as the control API's query.
    var query: HTTPSourceQuery { HTTPSourceQuery(trustlessGateways: trustlessGateways, originPolicy: originPolicy) }
}
