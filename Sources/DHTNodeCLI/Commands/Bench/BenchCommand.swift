import ArgumentParser

/// `dhtnode bench`: measurements of real nodes on loopback (docs/BENCHMARKS.md).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks of real UDP nodes on loopback.",
        subcommands: [SwarmBenchCommand.self, LoadBenchCommand.self, BootstrapBenchCommand.self]
    )
}
