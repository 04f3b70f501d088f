import DHTDaemon

/// One line about a lookup: outcome, hops, messages, time.
enum LookupSummary {
    static func render(_ lookup: LookupDocument) -> String {
        "lookup \(lookup.outcome): \(lookup.closest.count) closest, \(lookup.hops) hops, \(lookup.messagesSent) "
            + "requests (\(lookup.responses) answered, \(lookup.timeouts) timed out), "
            + TextTable.seconds(lookup.elapsedSeconds)
    }
}
