#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaConfig

/// One configuration entry: a ZITADEL instance, how to reach its system
/// API, the quotas to keep there and where ZITADEL should report usage.
public struct ZitadelInstance: Sendable {
    /// The ZITADEL URL (scheme, host, port); the system API lives under it.
    public var url: HTTPURL
    public var instanceID: String
    public var quotas: [ZitadelQuota]
    /// nil when `provisioning` is off: nothing is sent to ZITADEL then.
    public var credentials: SystemAPICredentials?
    /// The exporters' own base URLs as ZITADEL reaches them: one, or one
    /// per replica (`receiver_urls`). Every replica provisions this same
    /// list, so ZITADEL calls each of them, and two replicas setting the
    /// quota never undo each other's change. Empty only with `provisioning` off.
    public var receiverURLs: [HTTPURL]
    /// The secret from the configuration; nil means generated and kept in the state file.
    public var receiverSecret: Secret?
    public var provisioning: Bool
    /// How often the quotas are set again after a success, so one removed
    /// in ZITADEL by hand comes back.
    public var reapplyInterval: Double
    public var stateFile: String

    /// Path of the receiver, below which `<instance id>/<secret>` follows.
    public static let receiverPath = "/zitadel/notifications"

    /// The `callUrl`s ZITADEL is given for this instance, one per receiver
    /// URL, in the configured order.
    func callURLs(secret: String) -> [String] {
        receiverURLs.map { Self.callURL(base: $0, instanceID: instanceID, secret: secret) }
    }

    static func callURL(base receiverURL: HTTPURL, instanceID: String, secret: String) -> String {
        var base = receiverURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + receiverPath + "/" + instanceID + "/" + secret
    }
}
