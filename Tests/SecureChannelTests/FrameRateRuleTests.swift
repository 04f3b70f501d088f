import Testing

@testable import SecureChannel

@Suite("Frame rate rule")
struct FrameRateRuleTests {
    let rule = FrameRateRule(grace: .seconds(10), minimumBytesPerSecond: 64 * 1024)

    @Test("a frame gets the grace, plus a second per 64 KiB that arrived")
    func allowance() {
        #expect(rule.allowance(received: 0) == .seconds(10))
        #expect(rule.allowance(received: 64 * 1024) == .seconds(11))
        #expect(rule.allowance(received: 2 * 1024 * 1024) == .seconds(42))
    }

    @Test("a peer at the minimum rate or faster is never overdue; a trickle is overdue once the grace is spent")
    func overdue() {
        for second in 1...120 {
            let elapsed = Duration.seconds(second)
            #expect(!rule.isOverdue(elapsed: elapsed, received: second * 64 * 1024))
        }
        // One byte every 12 s: overdue at the end of the grace.
        #expect(!rule.isOverdue(elapsed: .seconds(9), received: 1))
        #expect(rule.isOverdue(elapsed: .seconds(12), received: 1))
        // Half the minimum rate: twice the grace.
        #expect(!rule.isOverdue(elapsed: .seconds(19), received: 19 * 32 * 1024))
        #expect(rule.isOverdue(elapsed: .seconds(21), received: 21 * 32 * 1024))
    }

    @Test("the rate is at least one byte per second")
    func clamped() {
        #expect(FrameRateRule(grace: .zero, minimumBytesPerSecond: 0).minimumBytesPerSecond == 1)
    }
}
