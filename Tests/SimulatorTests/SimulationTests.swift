import Kademlia
import Testing

@testable import Simulator

@Suite("Simulation")
struct SimulationTests {
    static func configuration(nodes: Int, lookups: Int, seed: UInt64) -> SimulationConfiguration {
        var configuration = SimulationConfiguration()
        configuration.nodes = nodes
        configuration.lookups = lookups
        configuration.seed = seed
        return configuration
    }

    @Test("2,000 nodes: every lookup finds the exact k closest, every stored value and every name's newest record is found")
    func twoThousandNodesAreExact() {
        let report = Simulation(configuration: Self.configuration(nodes: 2000, lookups: 200, seed: 7), threads: 2).run()
        #expect(report.nodes == 2000)
        #expect(report.lookups == 200)
        #expect(report.gets == 200)
        #expect(report.exact == 1.0)
        #expect(report.found == 1.0)
        #expect(report.datagramsLost == 0)
        #expect(report.storedReplicasMean == 20)
        // Names: every update reached the 20 closest, and every resolve found it from 5 of them.
        #expect(report.names.resolves == 200)
        #expect(report.names.newest == 1.0)
        #expect(report.names.replicasMean == 20)
        #expect(report.names.validAnswersMean == 5)
        #expect(report.names.messagesP50 < report.messagesP50)
    }

    @Test("60 % of the nodes behind NATs (clients): lookups still find the exact 20 closest public nodes")
    func privateNodes() {
        var configuration = Self.configuration(nodes: 1000, lookups: 100, seed: 5)
        configuration.privateShare = 0.6
        let report = Simulation(configuration: configuration, threads: 2).run()
        #expect(report.privateShare == 0.6)
        #expect(report.exact == 1.0)
        #expect(report.found == 1.0)
        #expect(report.names.newest == 1.0)
        #expect(report.timeRTTsP50 <= 6)
    }

    @Test("the same seed gives the same report")
    func sameSeedSameReport() {
        let configuration = Self.configuration(nodes: 200, lookups: 30, seed: 42)
        let first = Simulation(configuration: configuration).run()
        let second = Simulation(configuration: configuration).run()
        #expect(first.wallSeconds == 0 && first.peakRSSMiB == 0)
        #expect(first == second)
        #expect(first.lookups == 30)

        var other = configuration
        other.seed = 43
        let third = Simulation(configuration: other).run()
        #expect(third != first)
    }

    @Test("the report does not depend on the number of threads, with loss and churn too")
    func threadsDoNotChangeTheReport() {
        var configuration = Self.configuration(nodes: 300, lookups: 30, seed: 9)
        configuration.loss = 0.05
        configuration.churn = 0.2
        let one = Simulation(configuration: configuration, threads: 1).run()
        let two = Simulation(configuration: configuration, threads: 2).run()
        let three = Simulation(configuration: configuration, threads: 3).run()
        #expect(one == two)
        #expect(one == three)
        #expect(one.datagramsLost > 0)
    }
}
