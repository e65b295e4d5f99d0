import QuotaConfig

/// A project-scoped IAM token and when to stop using it (Unix seconds).
struct IAMToken: Sendable {
    /// The `X-Subject-Token` IAM returned; sent as `X-Auth-Token`.
    var value: Secret
    var expiresAt: Double
    /// When to fetch a new one: an hour before expiry, or at half of the
    /// lifetime for short-lived tokens, so a token is never used so close
    /// to its end that a slow request sees it expire.
    var renewAt: Double

    init(value: Secret, fetchedAt: Double, expiresAt: Double) {
        self.value = value
        self.expiresAt = expiresAt
        let lifetime = max(0, expiresAt - fetchedAt)
        self.renewAt = expiresAt - min(3600, lifetime / 2)
    }

    func isUsable(at now: Double) -> Bool {
        now < renewAt
    }
}
