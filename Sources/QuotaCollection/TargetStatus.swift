import QuotaExposition

/// What the exporter knows about one target at the moment of a scrape:
/// the values it may serve and the health behind them. Metrics and the
/// status page are both rendered from this, so they never disagree.
public struct TargetStatus: Sendable {
    public var identity: TargetIdentity
    public var labels: [Label]
    public var settings: CollectionSettings
    /// The readings to serve: those of the last success, unless older than
    /// `maxStaleness`, in which case none.
    public var readings: [QuotaReading]
    /// Outcome of the last completed attempt; `nil` until one completes.
    public var up: Bool?
    /// Wall-clock duration of the last completed attempt, in seconds.
    public var lastDuration: Double?
    /// Unix time of the last success.
    public var lastSuccess: Double?
    /// Unix time the last attempt's first request went out (when it sent
    /// none: when it started); `min_interval` counts from it.
    public var lastAttempt: Double?
    public var lastError: CollectorError?
    /// Unix time of `lastError`.
    public var lastErrorTime: Double?
    public var errorsTotal: [CollectorError.Reason: Int]
    public var refreshing: Bool
    /// Equal for two statuses of one target when its metrics are the same
    /// (given the same `readings.isEmpty`: values aging out do not change
    /// it). Lets `/metrics` keep each target's rendering until it changes.
    public var revision: UInt64 = 0
    /// True when `readings` come from a success that failures have followed.
    public var servingStale: Bool {
        up == false && !readings.isEmpty
    }
}

/// Every target's status, sorted by identity.
public struct CollectionSnapshot: Sendable {
    public var targets: [TargetStatus]
    /// The cache's version when the snapshot was taken.
    public var version: UInt64
    /// Nonzero for a snapshot the cache made: the cache hands out the same
    /// snapshot (same serial) while nothing changed, so a renderer that
    /// saw this serial can reuse its output without looking further.
    public var serial: UInt64 = 0
    /// Nonzero for a snapshot the cache made; equal layouts mean the same
    /// targets in the same order (it changes only at a reload), so a
    /// renderer can compare targets by position.
    public var layout: UInt64 = 0
    /// Set when the cache made this snapshot from the one of serial
    /// `base` by replacing only the targets at `indexes` (a collection
    /// finished, nothing else moved): a renderer that rendered `base` need
    /// look at no other target. Nil for a snapshot made from scratch.
    public var patch: SnapshotPatch?

    /// Equal fingerprints mean equal metrics. Within one version the only
    /// change possible is targets' values aging out, which the count of
    /// targets still serving values captures.
    public var fingerprint: String {
        "\(version)/\(targets.count { !$0.readings.isEmpty })"
    }
    /// True once every target has completed at least one attempt.
    public var allAttempted: Bool {
        targets.allSatisfy { $0.up != nil }
    }

    public init(targets: [TargetStatus], version: UInt64 = 0) {
        self.targets = targets
        self.version = version
    }
}

/// How a snapshot differs from an earlier one: see `CollectionSnapshot.patch`.
public struct SnapshotPatch: Sendable, Equatable {
    public var base: UInt64
    public var indexes: [Int]

    public init(base: UInt64, indexes: [Int]) {
        self.base = base
        self.indexes = indexes
    }
}
