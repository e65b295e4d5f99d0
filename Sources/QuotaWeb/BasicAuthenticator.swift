import Dispatch
import QuotaCrypto

/// Checks `Authorization: Basic` against `basic_auth_users`, as
/// exporter-toolkit does: the password against the user's bcrypt hash,
/// an unknown user against a fixed hash of the same cost class (so the
/// answer's timing does not say which users exist), results cached
/// (`VerifiedCredentialCache`), one bcrypt at a time.
///
/// bcrypt runs on a serial queue of its own, never on the cooperative
/// pool: a check takes tens of milliseconds of CPU, and the pool has as
/// many threads as cores, so clients sending fresh passwords could
/// otherwise stall every scrape.
public final class BasicAuthenticator: Sendable {
    public enum Outcome: Sendable, Equatable {
        case allowed
        /// No or unreadable credentials, an unknown user or a wrong password.
        case denied
    }

    public let users: [String: BcryptHash]
    public let cache: VerifiedCredentialCache
    private static let queue = DispatchQueue(label: "quota-exporter.bcrypt")

    /// A bcrypt hash (cost 10) of a random password nobody knows, checked
    /// for unknown users so they cost what a known user costs.
    static let decoyHash = "$2b$10$1ZyEeY4IT8a6gyGQtQfgF.3kn6W3Q5tVJiYGKNpPfEE38u9jQ89hO"

    public init(users: [String: BcryptHash], cache: VerifiedCredentialCache = VerifiedCredentialCache()) {
        self.users = users
        self.cache = cache
    }

    public func check(authorization: String?) async -> Outcome {
        guard let header = authorization, let credentials = BasicAuthCredentials.parse(header) else { return .denied }
        return await check(credentials)
    }

    /// The outcome if the cache already holds it (a SHA-256 and a lookup,
    /// no bcrypt), else nil: what the HTTP event loop may decide itself.
    public func cachedOutcome(authorization: String?) -> Outcome? {
        guard let header = authorization, let credentials = BasicAuthCredentials.parse(header) else { return .denied }
        let (key, userIsExact, _) = lookup(credentials)
        return cache.outcome(for: key).map { $0 && userIsExact ? .allowed : .denied }
    }

    public func check(_ credentials: BasicAuthCredentials) async -> Outcome {
        let (key, userIsExact, hash) = lookup(credentials)
        if let cached = cache.outcome(for: key) {
            return cached && userIsExact ? .allowed : .denied
        }
        let password = credentials.password
        let matches = await withCheckedContinuation { continuation in
            Self.queue.async {
                continuation.resume(returning: Self.verify(password: password, hash: hash))
            }
        }
        let allowed = matches && userIsExact
        cache.record(allowed, for: key)
        return allowed ? .allowed : .denied
    }

    /// The cache key of these credentials, whether the user is configured
    /// exactly as sent, and the hash to check the password against.
    private func lookup(_ credentials: BasicAuthCredentials) -> (key: [UInt8], userIsExact: Bool, hash: String) {
        let known = users[String(decoding: credentials.user, as: UTF8.self)]
        // A user name that is not valid UTF-8 decodes with U+FFFD and
        // cannot equal a configured name spelled that way by accident.
        let userIsExact = known != nil && Array(String(decoding: credentials.user, as: UTF8.self).utf8) == credentials.user
        let hash = userIsExact ? known!.text : Self.decoyHash
        return (VerifiedCredentialCache.key(user: credentials.user, hash: hash, password: credentials.password), userIsExact, hash)
    }

    /// bcrypt works on at most 72 bytes and libcrypt would silently cut a
    /// longer password; Go's bcrypt refuses it, and so does this.
    static let maxPasswordBytes = 72

    static func verify(password: [UInt8], hash: String) -> Bool {
        guard password.count <= maxPasswordBytes else { return false }
        guard case .success(let computed) = LibCrypt.hash(password: password, setting: hash) else { return false }
        return constantTimeEquals(computed, Array(hash.utf8))
    }
}
