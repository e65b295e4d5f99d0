import QuotaCollection
import QuotaConcurrency
import QuotaLogging

/// Keeps one instance's quotas in ZITADEL as the configuration says: at
/// start, after every failure with backoff, and every `reapplyInterval`
/// after a success, until its task is cancelled by the next reload.
final class QuotaProvisioner: Sendable {
    let instance: ZitadelInstance
    let client: SystemAPIClient
    let store: StateStore
    let status = ProvisioningStatus()
    private let legacyServers: Locked<[String: Double]>
    private let timing: ProvisioningTiming
    private let logger: Logger
    /// Units already warned about being left as they are, so the warning
    /// comes once per configuration rather than at every reapply.
    private let warnedExisting = Locked<Set<ZitadelUnit>>([])

    init(instance: ZitadelInstance, client: SystemAPIClient, store: StateStore, legacyServers: Locked<[String: Double]>, timing: ProvisioningTiming, logger: Logger) {
        self.instance = instance
        self.client = client
        self.store = store
        self.legacyServers = legacyServers
        self.timing = timing
        self.logger = logger.with(["provider": "zitadel", "account": instance.instanceID])
    }

    /// Servers found without SetQuota, with when that was found.
    private var legacyKey: String {
        SystemAPIAuthenticator.audience(of: instance.url) + "/" + instance.instanceID
    }

    func run() async {
        var failures = 0
        /// Consecutive rounds refused or answered 429 for the rate limit.
        var rateLimited = 0
        while !Task.isCancelled {
            let outcome = await provisionOnce()
            if Task.isCancelled { return }
            status.record(outcome)
            let delay: Double
            switch outcome {
            case .success:
                if failures > 0 {
                    logger.info("quota provisioning recovered", ["after_failures": String(failures)])
                }
                failures = 0
                rateLimited = 0
                delay = instance.reapplyInterval
            case .failure(let error):
                failures += 1
                rateLimited = error.reason == .rateLimited ? rateLimited + 1 : 0
                delay = timing.retryDelay(afterFailures: failures)
                var fields: [(String, String)] = [("reason", error.reason.rawValue)]
                if let code = error.statusCode { fields.append(("status", String(code))) }
                fields.append(("err", error.message))
                fields.append(("retry_in", "\(delay)s"))
                // While the credential is paused every retry is refused
                // before it leaves: the first says so, with ZITADEL's words,
                // and the client's lines mark the pause's start and end.
                logger.log(rateLimited > 1 ? .debug : .warn, "quota provisioning failed", fields: fields)
            }
            try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
        }
    }

    /// One round: every configured quota, each with SetQuota (or AddQuota on
    /// an old server). All are tried even if one fails; the first failure
    /// is reported, with the others counted in its message.
    func provisionOnce() async -> Result<Void, CollectorError> {
        let secret: String
        if let configured = instance.receiverSecret {
            secret = configured.revealed
        } else {
            do {
                secret = try store.receiverSecret(for: instance.instanceID)
            } catch {
                return .failure(CollectorError(.internal, "no receiver secret: \(error)"))
            }
        }
        let callURLs = instance.callURLs(secret: secret)
        guard !callURLs.isEmpty else {
            return .failure(CollectorError(.internal, "no receiver_url configured"))
        }
        var failures: [CollectorError] = []
        var methods: [String] = []
        for quota in instance.quotas {
            do throws(CollectorError) {
                methods.append(try await apply(quota, callURLs: callURLs))
            } catch {
                failures.append(error)
            }
        }
        guard var first = failures.first else {
            logger.debug("quotas provisioned", ["units": instance.quotas.map(\.unit.quotaName).joined(separator: ","), "calls": methods.joined(separator: ",")])
            return .success(())
        }
        if failures.count > 1 {
            first.message += " (and \(failures.count - 1) more: " + failures.dropFirst().map(\.message).joined(separator: "; ") + ")"
        }
        return .failure(first)
    }

    /// Returns which call made it so, for the debug log.
    private func apply(_ quota: ZitadelQuota, callURLs: [String]) async throws(CollectorError) -> String {
        let key = legacyKey
        let now = timing.now()
        let knownLegacy = legacyServers.withLock { servers in
            servers[key].map { now - $0 < timing.legacyRecheck } ?? false
        }
        if !knownLegacy {
            switch try await client.setQuota(quota, callURLs: callURLs) {
            case .applied:
                legacyServers.withLock { _ = $0.removeValue(forKey: key) }
                return "SetQuota"
            case .unsupported:
                logger.info("ZITADEL has no SetQuota; falling back to AddQuota (an existing quota is then left as it is)", ["unit": quota.unit.quotaName])
                legacyServers.withLock { $0[key] = now }
            }
        }
        let outcome = try await client.addQuota(quota, callURLs: callURLs)
        if outcome == .alreadyExists, warnedExisting.withLock({ $0.insert(quota.unit).inserted }) {
            logger.warn("quota already exists and this ZITADEL has no SetQuota to update it: it is left as it is", [
                "unit": quota.unit.quotaName,
                "hint": "a changed amount, limit, from, reset_interval, notifications or receiver secret takes effect only after the quota is removed (DELETE /system/v1/instances/{id}/quotas/{unit}) or ZITADEL is upgraded",
            ])
        }
        return outcome == .created ? "AddQuota" : "AddQuota(already exists)"
    }
}
