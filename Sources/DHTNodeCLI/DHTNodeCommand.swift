import ArgumentParser
import Blocks

/// `dhtnode`: the swift-dht command line.
@main
struct DHTNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dhtnode",
        abstract: "A peer-to-peer, content-addressed store over a Kademlia DHT.",
        version: ToolVersion.current,
        subcommands: [
            SimulateCommand.self, AddCommand.self, CatCommand.self, GetCommand.self, LsCommand.self, PinCommand.self,
            GCCommand.self, RepoCommand.self, BlockCommand.self, CARCommand.self, PrecacheCommand.self,
            RunCommand.self, IDCommand.self, PeersCommand.self, DHTCommand.self, SwarmKeyCommand.self, KeyCommand.self,
            NameCommand.self,
            BenchCommand.self,
        ]
    )

    /// Runs the command as swift-argument-parser does, with one guard on the way out: the line of an error a
    /// command throws may quote what a DAG, a peer or the daemon said, so what acts on a terminal is escaped in it
    /// (``UntrustedText/controlsEscaped(_:limit:)``; parts escaped already pass unchanged).
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: terminalSafe(error))
        }
    }

    /// `error` as it may be printed: a command's failure as its escaped line; what swift-argument-parser itself
    /// prints (help, usage, validation, exit codes) as it is.
    static func terminalSafe(_ error: any Error) -> any Error {
        switch error {
        case is ExitCode, is CleanExit, is ValidationError: return error
        case let error as CLIError: return CLIError(UntrustedText.controlsEscaped(error.description))
        default:
            // An error type of swift-argument-parser's own (a parse error) prints usage: leave it to the parser.
            if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") { return error }
            return CLIError(UntrustedText.controlsEscaped(CLIError(error).description))
        }
    }
}
