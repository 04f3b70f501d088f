import ArgumentParser

/// `dhtnode bench`: measurements of real nodes on loopback, and of the frame path in one process
/// (docs/BENCHMARKS.md).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: real nodes on loopback, and the secure channel's frame path in one process.",
        subcommands: [SwarmBenchCommand.self, LoadBenchCommand.self, BootstrapBenchCommand.self, FrameBenchCommand.self]
    )
}
