import ArgumentParser

/// `dhtnode bench`: measurements of real nodes on loopback, and of the frame path in one process
/// (docs/BENCHMARKS.md).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: real nodes on loopback, the secure channel's frame path in one process, hostile peers.",
        subcommands: [
            SwarmBenchCommand.self, LoadBenchCommand.self, BootstrapBenchCommand.self, FrameBenchCommand.self,
            HostilePeersCommand.self,
        ]
    )
}
