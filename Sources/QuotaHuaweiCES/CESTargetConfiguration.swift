import QuotaConfig

/// One configuration entry: one project in one region and how to
/// authenticate to it.
///
/// ```json
/// {"region": "ap-southeast-1", "project_id": "0123…",
///  "access_key": "${HUAWEICLOUD_SDK_AK}", "secret_key_file": "/run/secrets/huawei_sk"}
/// ```
struct CESTargetConfiguration: Sendable {
    var region: String
    var projectID: String
    /// CES base URL without a trailing slash; the default comes from the region.
    var endpoint: HTTPURL
    var authentication: CESAuthentication

    /// Region names are DNS labels such as `ap-southeast-1`: checked so the
    /// default host name can be built from them.
    static let region = ConfigType<String>.nonEmptyString.map { (text, context) throws(ConfigError) -> String in
        let allowed = text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
        }
        guard allowed else { throw context.error("expected a region name such as \"ap-southeast-1\" (lowercase letters, digits and -)") }
        return text
    }

    /// The API documents 1 to 64 characters.
    static let projectID = ConfigType<String>.nonEmptyString.map { (text, context) throws(ConfigError) -> String in
        guard text.count <= 64 else { throw context.error("must be at most 64 characters (a project ID from IAM or the console)") }
        return text
    }

    static func parse(_ entry: ConfigObject) throws(ConfigError) -> CESTargetConfiguration {
        let region = try entry.required("region", Self.region)
        let projectID = try entry.required("project_id", Self.projectID)
        let endpoint = try entry.optional("endpoint", .url) ?? HTTPURL(string: CESEndpoints.ces(region: region))!
        let authentication = try Self.authentication(entry, region: region)
        return CESTargetConfiguration(region: region, projectID: projectID, endpoint: endpoint, authentication: authentication)
    }

    /// Exactly one of an access key pair or `iam`; anything else names the
    /// field that is missing or too much.
    static func authentication(_ entry: ConfigObject, region: String) throws(ConfigError) -> CESAuthentication {
        let accessKey = try entry.optionalSecret("access_key")
        let secretKey = try entry.optionalSecret("secret_key")
        let securityToken = try entry.optionalSecret("security_token")
        let iam = try entry.optional("iam", .object)
        let prefix = entry.path.isEmpty ? "" : entry.path + "."

        if let iam {
            if accessKey != nil || secretKey != nil || securityToken != nil {
                let extra = accessKey != nil ? "access_key" : secretKey != nil ? "secret_key" : "security_token"
                throw ConfigError(path: prefix + extra, message: "give either an access key pair or iam, not both")
            }
            return .iamPassword(try Self.iamCredentials(iam, region: region))
        }
        switch (accessKey, secretKey) {
        case (let accessKey?, let secretKey?):
            return .accessKey(AccessKeyCredentials(accessKey: accessKey, secretKey: secretKey, securityToken: securityToken))
        case (_?, nil):
            throw ConfigError(path: prefix + "secret_key", message: "missing secret_key (or secret_key_file): access_key needs its secret key")
        case (nil, _?):
            throw ConfigError(path: prefix + "access_key", message: "missing access_key (or access_key_file): secret_key needs its access key")
        case (nil, nil):
            if securityToken != nil {
                throw ConfigError(path: prefix + "access_key", message: "missing access_key and secret_key: security_token is used only with them")
            }
            throw ConfigError(path: entry.path, message: "missing authentication: give access_key and secret_key (or their _file forms), or iam {domain, user, password}")
        }
    }

    static func iamCredentials(_ iam: ConfigObject, region: String) throws(ConfigError) -> IAMPasswordCredentials {
        let endpoint = try iam.optional("endpoint", .url)?.absoluteString ?? CESEndpoints.iam(region: region)
        return IAMPasswordCredentials(
            endpoint: endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint,
            domain: try iam.required("domain", .nonEmptyString),
            user: try iam.required("user", .nonEmptyString),
            password: try iam.requiredSecret("password")
        )
    }
}
