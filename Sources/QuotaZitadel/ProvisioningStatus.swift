#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaTime
import QuotaCollection
import QuotaConcurrency

/// The outcome of an instance's provisioning, shared by its loop (which
/// writes it) and its `provisioning` collector (which reports it).
final class ProvisioningStatus: Sendable {
    struct Snapshot: Sendable {
        /// Whether a background loop owns provisioning. Without one (`--once`)
        /// the collector provisions by itself.
        var loopStarted = false
        /// The last completed attempt; nil before the first.
        var last: Result<Void, CollectorError>?
    }

    private let value = Locked(Snapshot())

    var snapshot: Snapshot {
        value.current
    }

    func markLoopStarted() {
        value.withLock { $0.loopStarted = true }
    }

    func record(_ outcome: Result<Void, CollectorError>) {
        value.withLock { $0.last = outcome }
    }
}

/// Delays of the provisioning loop: exponential backoff after a failure,
/// starting at `firstRetry` and doubling up to `maxRetry`.
struct ProvisioningTiming: Sendable {
    var firstRetry: Double = 1
    var maxRetry: Double = 300
    /// How long a server found without SetQuota is remembered as such
    /// before SetQuota is tried again: an upgraded ZITADEL is noticed
    /// within the hour, and an old one costs one refused call an hour.
    var legacyRecheck: Double = 3600
    /// Unix seconds now, for `legacyRecheck`.
    var now: @Sendable () -> Double = { WallClock.now() }

    func retryDelay(afterFailures failures: Int) -> Double {
        min(maxRetry, firstRetry * Double(1 << min(max(failures - 1, 0), 30)))
    }
}
