import QuotaTime
import QuotaCollection
import QuotaConfig
import QuotaLogging

/// Huawei Cloud Cloud Eye (CES) quotas, one target per project:
/// `GET https://ces.{region}.myhuaweicloud.com/V1.0/{project_id}/quotas`,
/// authenticated with an access key pair (SDK-HMAC-SHA256) or an IAM
/// user's password (token). See `docs/huaweicloud-ces.md`.
///
/// The name is also the `provider` label, since the runtime matches
/// targets to providers by it.
public struct HuaweiCESProvider: Provider {
    public let name = "huaweicloud_ces"
    static let collectorName = "ces_quotas"

    private let client: UpstreamClient
    private let tokens: IAMTokenCache
    private let logger: Logger
    private let clock: @Sendable () -> Double

    /// - Parameter clock: the time used for `X-Sdk-Date` and token expiry;
    ///   injectable so tests can age tokens.
    public init(context: ProviderContext, clock: @escaping @Sendable () -> Double = { WallClock.now() }) {
        self.client = context.makeClient(provider: "huaweicloud_ces")
        self.tokens = IAMTokenCache(now: clock)
        self.logger = context.logger.with(["provider": "huaweicloud_ces"])
        self.clock = clock
    }

    /// The CES and IAM base URLs used when an entry names no `endpoint`.
    public static func defaultEndpoints(region: String) -> (ces: String, iam: String) {
        (CESEndpoints.ces(region: region), CESEndpoints.iam(region: region))
    }

    /// `region` is on every series; `min` and `max` are `quota_info` labels.
    public var reservedLabels: Set<String> { ["region", "min", "max"] }

    public var setupHint: String {
        "huaweicloud_ces: list projects under \"huaweicloud_ces\" (region, project_id, access_key + secret_key or iam), or set HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID and HUAWEICLOUD_SDK_REGION."
    }

    public func targets(from entry: ConfigObject, common: TargetCommon) throws(ConfigError) -> [Target] {
        [target(try CESTargetConfiguration.parse(entry), common: common)]
    }

    /// `HUAWEICLOUD_SDK_AK`/`_SK` (and `_SECURITY_TOKEN`) are the variables
    /// Huawei's SDKs read; `_PROJECT_ID` and `_REGION` say which project.
    public func environmentTargets(_ environment: ConfigEnvironment, common: TargetCommon) throws(ConfigError) -> [Target] {
        let variables = environment.variables.filter { !$0.value.isEmpty }
        let required = ["HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_REGION"]
        guard variables["HUAWEICLOUD_SDK_AK"] != nil || variables["HUAWEICLOUD_SDK_SK"] != nil else { return [] }
        if let missing = required.first(where: { variables[$0] == nil }) {
            throw ConfigError(path: "environment", message: "\(missing) is not set (huaweicloud_ces needs \(required.joined(separator: ", ")))")
        }
        var object: [(key: String, value: JSONValue)] = [
            (key: "region", value: .string(variables["HUAWEICLOUD_SDK_REGION"]!)),
            (key: "project_id", value: .string(variables["HUAWEICLOUD_SDK_PROJECT_ID"]!)),
            (key: "access_key", value: "${HUAWEICLOUD_SDK_AK}"),
            (key: "secret_key", value: "${HUAWEICLOUD_SDK_SK}"),
        ]
        if variables["HUAWEICLOUD_SDK_SECURITY_TOKEN"] != nil {
            object.append((key: "security_token", value: "${HUAWEICLOUD_SDK_SECURITY_TOKEN}"))
        }
        let entry = try ConfigObject(.object(JSONObject(object)), path: "environment", environment: environment)
        return [target(try CESTargetConfiguration.parse(entry), common: common)]
    }

    private func target(_ configuration: CESTargetConfiguration, common: TargetCommon) -> Target {
        Target(
            identity: TargetIdentity(provider: name, account: configuration.projectID, collector: Self.collectorName),
            labels: common.labels,
            settings: common.settings,
            collector: CESCollector(configuration: configuration, client: client.forEntry(common), tokens: tokens, logger: logger.with(["project_id": configuration.projectID]), clock: clock)
        )
    }
}
