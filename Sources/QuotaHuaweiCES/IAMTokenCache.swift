import QuotaCollection
import QuotaConfig
import QuotaCrypto

/// Tokens per (IAM endpoint, domain, user, password, project), kept by the
/// provider so they outlive configuration reloads: one token request per
/// day per project instead of one per collection.
///
/// Concurrent collections that need the same token share one request.
actor IAMTokenCache {
    struct Key: Hashable, Sendable {
        var endpoint: String
        var domain: String
        var user: String
        /// A digest, so a changed password (after a reload) means a new
        /// token while the password itself is not a dictionary key.
        var passwordDigest: String
        var projectID: String

        init(_ credentials: IAMPasswordCredentials, projectID: String) {
            endpoint = credentials.endpoint
            domain = credentials.domain
            user = credentials.user
            passwordDigest = hex(SHA256.hash(Array(credentials.password.revealed.utf8)))
            self.projectID = projectID
        }
    }

    private var tokens: [Key: IAMToken] = [:]
    private var inFlight: [Key: Task<Result<IAMToken, CollectorError>, Never>] = [:]
    private let now: @Sendable () -> Double

    init(now: @escaping @Sendable () -> Double) {
        self.now = now
    }

    /// A usable token for `key`: the cached one unless it is due for
    /// renewal or is `rejected` (CES answered 401 to it), else a new one
    /// from `fetch`. A failed fetch is not cached.
    func token(
        for key: Key,
        rejected: Secret? = nil,
        fetch: @escaping @Sendable () async throws(CollectorError) -> IAMToken
    ) async throws(CollectorError) -> IAMToken {
        if let cached = tokens[key] {
            if cached.isUsable(at: now()), cached.value != rejected {
                return cached
            }
            tokens[key] = nil
        }
        let task: Task<Result<IAMToken, CollectorError>, Never>
        if let running = inFlight[key] {
            task = running
        } else {
            task = Task {
                do throws(CollectorError) {
                    return .success(try await fetch())
                } catch {
                    return .failure(error)
                }
            }
            inFlight[key] = task
        }
        let result = await task.value
        if inFlight[key] == task {
            inFlight[key] = nil
            if case .success(let token) = result {
                tokens[key] = token
            }
        }
        return try result.get()
    }
}
