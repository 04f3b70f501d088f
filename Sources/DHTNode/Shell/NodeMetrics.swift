import Kademlia
import Metrics

/// The node's figures as swift-metrics objects; whichever metrics backend the process bootstrapped (the daemon:
/// Prometheus) exports them.
///
/// Counters are advanced from ``NodeStatistics`` snapshots (``record(_:)``), about once a second, so the hot
/// datagram path never touches a metric.
final class NodeMetrics {
    private let datagramsIn = Counter(label: "dht_datagrams_in_total")
    private let datagramsOut = Counter(label: "dht_datagrams_out_total")
    private let requestsAnswered = Counter(label: "dht_requests_answered_total")
    private let repliesCut = Counter(label: "dht_replies_cut_for_amplification_total")
    private let withheld = Counter(label: "dht_datagrams_withheld_total", dimensions: [("reason", "amplification")])
    private let verificationsSkipped = Counter(
        label: "dht_verifications_skipped_total", dimensions: [("reason", "network_cap")])
    /// `dht_records_refused_total` by record kind and reason, made on first use (an IPNS record refused as invalid
    /// is counted under the validator's reason instead of `invalid_record`).
    private var refused: [String: Counter] = [:]
    private let evicted: [String: Counter] = Dictionary(
        uniqueKeysWithValues: ["value", "provider", "ipns"].map {
            ($0, Counter(label: "dht_records_evicted_total", dimensions: [("record", $0), ("reason", "farthest")]))
        }
    )
    private let recordsHeld = Gauge(label: "dht_ipns_records_held")
    private let recordsCorrected = Counter(label: "dht_ipns_records_corrected_total")
    private let invalidRecordAnswers = Counter(label: "dht_ipns_invalid_answers_total")
    private let dropped: [DropReason: Counter] = Dictionary(
        uniqueKeysWithValues: DropReason.allCases.map {
            ($0, Counter(label: "dht_datagrams_dropped_total", dimensions: [("reason", $0.rawValue)]))
        }
    )
    private let routingTable = Gauge(label: "dht_routing_table_contacts")
    private let valuesHeld = Gauge(label: "dht_values_held")
    private let providersHeld = Gauge(label: "dht_provider_records_held")
    private let ownRecords = Gauge(label: "dht_own_records")
    private let ownRecordsQueued = Gauge(label: "dht_own_records_queued")
    private let announcements: [Bool: Counter] = [
        true: Counter(label: "dht_announcements_total", dimensions: [("outcome", "accepted")]),
        false: Counter(label: "dht_announcements_total", dimensions: [("outcome", "unanswered")]),
    ]
    private let lookups: [String: Counter] = Dictionary(
        uniqueKeysWithValues: ["find_node", "find_value", "get_providers", "get_record"].map {
            ($0, Counter(label: "dht_lookups_total", dimensions: [("kind", $0)]))
        }
    )
    private let lookupDuration = Metrics.Timer(label: "dht_lookup_duration_seconds", preferredDisplayUnit: .seconds)
    /// `dht_reachability{status}`: 1 for the node's current status, 0 for the others.
    private let reachability: [ReachabilityStatus: Gauge] = Dictionary(
        uniqueKeysWithValues: ReachabilityStatus.allCases.map {
            ($0, Gauge(label: "dht_reachability", dimensions: [("status", $0.rawValue)]))
        }
    )
    private let checks: [String: Counter] = Dictionary(
        uniqueKeysWithValues: ["reached", "unreached", "inconclusive"].map {
            ($0, Counter(label: "dht_reachability_checks_total", dimensions: [("outcome", $0)]))
        }
    )
    private let dialBacksServed: [DialStatus: Counter] = Dictionary(
        uniqueKeysWithValues: DialStatus.allCases.map {
            ($0, Counter(label: "dht_dial_backs_served_total", dimensions: [("status", $0.label)]))
        }
    )
    private let dialRequestsServed: [DialStatus: Counter] = Dictionary(
        uniqueKeysWithValues: DialStatus.allCases.map {
            ($0, Counter(label: "dht_dial_requests_served_total", dimensions: [("status", $0.label)]))
        }
    )
    private let probesSent = Counter(label: "dht_probes_sent_total")
    private let probesReceived = Counter(label: "dht_probes_received_total")
    private let ignoredAsClient = Counter(label: "dht_requests_ignored_as_client_total")
    private let clientsRemoved = Counter(label: "dht_client_contacts_removed_total")
    private var reported = NodeStatistics()

    /// Advances every counter to `statistics` and sets the gauges.
    func record(_ statistics: NodeStatistics) {
        datagramsIn.increment(by: max(0, statistics.datagramsIn - reported.datagramsIn))
        datagramsOut.increment(by: max(0, statistics.datagramsOut - reported.datagramsOut))
        requestsAnswered.increment(by: max(0, statistics.requestsAnswered - reported.requestsAnswered))
        repliesCut.increment(by: max(0, statistics.repliesCutForAmplification - reported.repliesCutForAmplification))
        withheld.increment(by: max(0, statistics.withheldForAmplification - reported.withheldForAmplification))
        verificationsSkipped.increment(
            by: max(0, statistics.verificationsSkippedForNetwork - reported.verificationsSkippedForNetwork))
        for (reason, count) in statistics.valuesRefused {
            countRefused("value", reason.metricLabel, count - (reported.valuesRefused[reason] ?? 0))
        }
        for (reason, count) in statistics.providersRefused {
            countRefused("provider", reason.metricLabel, count - (reported.providersRefused[reason] ?? 0))
        }
        for (reason, count) in statistics.recordsRefused where reason != .invalidRecord {
            countRefused("ipns", reason.metricLabel, count - (reported.recordsRefused[reason] ?? 0))
        }
        for (reason, count) in statistics.invalidRecordsRefused {
            countRefused("ipns", reason, count - (reported.invalidRecordsRefused[reason] ?? 0))
        }
        evicted["value"]?.increment(by: max(0, statistics.valuesEvicted - reported.valuesEvicted))
        evicted["provider"]?.increment(by: max(0, statistics.providersEvicted - reported.providersEvicted))
        evicted["ipns"]?.increment(by: max(0, statistics.recordsEvicted - reported.recordsEvicted))
        recordsHeld.record(statistics.recordsHeld)
        recordsCorrected.increment(by: max(0, statistics.recordsCorrected - reported.recordsCorrected))
        invalidRecordAnswers.increment(by: max(0, statistics.invalidRecordAnswers - reported.invalidRecordAnswers))
        for (reason, count) in statistics.dropped {
            dropped[reason]?.increment(by: max(0, count - (reported.dropped[reason] ?? 0)))
        }
        routingTable.record(statistics.routingTableSize)
        valuesHeld.record(statistics.valuesHeld)
        providersHeld.record(statistics.providerRecordsHeld)
        ownRecords.record(statistics.ownRecords)
        ownRecordsQueued.record(statistics.ownRecordsQueued)
        announcements[true]?.increment(by: max(0, statistics.announcementsAccepted - reported.announcementsAccepted))
        announcements[false]?.increment(
            by: max(0, statistics.announcementsUnanswered - reported.announcementsUnanswered))
        for (status, gauge) in reachability { gauge.record(status == statistics.reachability ? 1 : 0) }
        let counters = statistics.reachabilityCounters
        let before = reported.reachabilityCounters
        checks["reached"]?.increment(by: max(0, counters.reached - before.reached))
        checks["unreached"]?.increment(by: max(0, counters.unreached - before.unreached))
        checks["inconclusive"]?.increment(by: max(0, counters.inconclusive - before.inconclusive))
        for (status, count) in statistics.dialBacksServed {
            dialBacksServed[status]?.increment(by: max(0, count - (reported.dialBacksServed[status] ?? 0)))
        }
        for (status, count) in statistics.dialRequestsServed {
            dialRequestsServed[status]?.increment(by: max(0, count - (reported.dialRequestsServed[status] ?? 0)))
        }
        probesSent.increment(by: max(0, statistics.probesSent - reported.probesSent))
        probesReceived.increment(by: max(0, statistics.probesReceived - reported.probesReceived))
        ignoredAsClient.increment(by: max(0, statistics.requestsIgnoredAsClient - reported.requestsIgnoredAsClient))
        clientsRemoved.increment(by: max(0, statistics.clientsRemoved - reported.clientsRemoved))
        reported = statistics
    }

    private func countRefused(_ record: String, _ reason: String, _ increase: Int) {
        guard increase > 0 else { return }
        let key = record + "/" + reason
        let counter =
            refused[key]
            ?? Counter(label: "dht_records_refused_total", dimensions: [("record", record), ("reason", reason)])
        refused[key] = counter
        counter.increment(by: increase)
    }

    /// Counts a finished lookup and its duration.
    func recordLookup(_ kind: LookupKind, duration: Duration) {
        let label: String
        switch kind {
        case .findNode: label = "find_node"
        case .findValue: label = "find_value"
        case .getProviders: label = "get_providers"
        case .getRecord: label = "get_record"
        }
        lookups[label]?.increment()
        lookupDuration.recordNanoseconds(duration.nanosecondsClamped)
    }
}

extension StoreRejection {
    /// The `reason` label of `dht_records_refused_total`.
    var metricLabel: String {
        switch self {
        case .valueTooLarge: "value_too_large"
        case .keyFull: "key_full"
        case .storeFull: "store_full"
        case .invalidTTL: "invalid_ttl"
        case .sourceFull: "source_full"
        case .networkFull: "network_full"
        case .notClosest: "not_closest"
        case .invalidRecord: "invalid_record"
        case .outdatedRecord: "outdated_record"
        case .busy: "busy"
        }
    }
}
