import Testing

@testable import Kademlia

@Suite("DHTInstant")
struct DHTInstantTests {
    @Test("adding and subtracting durations")
    func arithmetic() {
        let t = DHTInstant(nanoseconds: 5_000_000_000)
        #expect(t + .milliseconds(250) == DHTInstant(nanoseconds: 5_250_000_000))
        #expect(t - .seconds(2) == DHTInstant(nanoseconds: 3_000_000_000))
        #expect((t + .seconds(3)) - t == .seconds(3))
        #expect(t - (t + .seconds(3)) == .seconds(-3))
        #expect(t + .seconds(-1.5) == DHTInstant(nanoseconds: 3_500_000_000))
        #expect(DHTInstant.zero < t)
    }

    @Test("adding saturates at the ends of the range")
    func saturates() {
        let late = DHTInstant(nanoseconds: .max - 10)
        #expect(late + .seconds(1) == DHTInstant(nanoseconds: .max))
        let early = DHTInstant(nanoseconds: .min + 10)
        #expect(early - .seconds(1) == DHTInstant(nanoseconds: .min))
        #expect(DHTInstant.zero + .seconds(Int64.max) == DHTInstant(nanoseconds: .max))
    }

    @Test("Duration in nanoseconds and milliseconds")
    func durationConversions() {
        #expect(Duration.seconds(2).nanosecondsClamped == 2_000_000_000)
        #expect(Duration.seconds(-1.5).nanosecondsClamped == -1_500_000_000)
        #expect(Duration.seconds(Int64.max).nanosecondsClamped == .max)
        #expect(Duration.seconds(Int64.min).nanosecondsClamped == .min)
        #expect(Duration.microseconds(1500).milliseconds == 1.5)
    }
}

@Suite("RTTEstimate")
struct RTTEstimateTests {
    let initial = Duration.seconds(1)
    let minimum = Duration.milliseconds(50)
    let maximum = Duration.seconds(4)

    @Test("no sample: the initial timeout")
    func noSample() {
        let estimate = RTTEstimate()
        #expect(!estimate.hasSample)
        #expect(estimate.smoothed == nil)
        #expect(estimate.timeout(initial: initial, minimum: minimum, maximum: maximum) == initial)
    }

    @Test("samples follow RFC 6298: SRTT += (R - SRTT)/8, RTTVAR += (|SRTT - R| - RTTVAR)/4")
    func smoothing() {
        var estimate = RTTEstimate()
        estimate.add(sample: .milliseconds(100))
        #expect(estimate.smoothed == .milliseconds(100))
        // 100 + 4 × 50
        #expect(estimate.timeout(initial: initial, minimum: minimum, maximum: maximum) == .milliseconds(300))
        estimate.add(sample: .milliseconds(180))
        // SRTT = (7 × 100 + 180) / 8 = 110; RTTVAR = (3 × 50 + 80) / 4 = 57.5
        #expect(estimate.smoothed == .milliseconds(110))
        #expect(estimate.timeout(initial: initial, minimum: minimum, maximum: maximum) == .milliseconds(340))
    }

    @Test("the timeout is clamped to minimum...maximum")
    func clamped() {
        var fast = RTTEstimate()
        fast.add(sample: .microseconds(100))
        #expect(fast.timeout(initial: initial, minimum: minimum, maximum: maximum) == minimum)
        var slow = RTTEstimate()
        slow.add(sample: .seconds(3))
        #expect(slow.timeout(initial: initial, minimum: minimum, maximum: maximum) == maximum)
    }
}

@Suite("SeededRandom")
struct SeededRandomTests {
    @Test("the same seed gives the same stream; another seed another")
    func reproducible() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        var c = SeededRandom(seed: 43)
        let first = (0..<100).map { _ in a.next() }
        #expect(first == (0..<100).map { _ in b.next() })
        #expect(first != (0..<100).map { _ in c.next() })
        #expect(Set(first).count == 100)
    }

    @Test("split streams are independent of each other and reproducible")
    func split() {
        var parent = SeededRandom(seed: 7)
        var child1 = parent.split()
        var child2 = parent.split()
        let one = (0..<20).map { _ in child1.next() }
        let two = (0..<20).map { _ in child2.next() }
        #expect(one != two)
        var again = SeededRandom(seed: 7)
        var child1Again = again.split()
        #expect((0..<20).map { _ in child1Again.next() } == one)
    }

    @Test("random IDs drawn from it are spread over the space")
    func randomIDsSpread() {
        var random = SeededRandom(seed: 1)
        let ids = (0..<1024).map { _ in NodeID.random(using: &random) }
        let firstBitSet = ids.filter { $0.bit(0) }.count
        #expect((412...612).contains(firstBitSet))
        #expect(Set(ids).count == 1024)
    }
}
