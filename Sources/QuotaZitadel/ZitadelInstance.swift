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
    /// The exporter's own base URL as ZITADEL reaches it.
    public var receiverURL: HTTPURL?
    /// The secret from the configuration; nil means generated and kept in the state file.
    public var receiverSecret: Secret?
    public var provisioning: Bool
    /// How often the quotas are set again after a success, so one removed
    /// in ZITADEL by hand comes back.
    public var reapplyInterval: Double
    public var stateFile: String

    /// Path of the receiver, below which `<instance id>/<secret>` follows.
    public static let receiverPath = "/zitadel/notifications"

    /// The `callUrl` ZITADEL is given for this instance.
    func callURL(secret: String) -> String? {
        guard let receiverURL else { return nil }
        var base = receiverURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + Self.receiverPath + "/" + instanceID + "/" + secret
    }
}
