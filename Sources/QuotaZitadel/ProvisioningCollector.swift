import QuotaCollection

/// The `provisioning` collector of an instance: reports whether its quotas
/// are in place in ZITADEL, so a failure shows in `collector_up` and
/// `collector_errors_total{reason}` with ZITADEL's message. It has no
/// readings; the quota values come from the `quotas` collector and stay
/// whatever provisioning does.
struct ProvisioningCollector: Collector {
    let provisioner: QuotaProvisioner

    func collect() async throws(CollectorError) -> [QuotaReading] {
        var snapshot = provisioner.status.snapshot
        if !snapshot.loopStarted {
            // No background loop (`--once`, or a scrape between a reload's
            // target swap and its start): provision here, once.
            let outcome = await provisioner.provisionOnce()
            provisioner.status.record(outcome)
            try outcome.get()
            return []
        }
        while snapshot.last == nil {
            guard !Task.isCancelled else {
                throw CollectorError(.timeout, "the first provisioning attempt has not finished yet")
            }
            try? await Task.sleep(nanoseconds: 50_000_000)
            snapshot = provisioner.status.snapshot
        }
        try snapshot.last!.get()
        return []
    }
}
