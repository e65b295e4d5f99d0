#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaCollection
import QuotaConfig
import QuotaCrypto
import QuotaTime

/// Reading one `zitadel` entry of the configuration file.
extension ZitadelInstance {
    /// ZITADEL's instance ids are digits; letters, `_` and `-` are allowed
    /// too, but nothing that would need escaping in the callUrl path.
    static let instanceIDCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    /// Configured secrets travel as a path segment: unreserved characters only.
    static let secretCharacters = instanceIDCharacters.union(".~")
    static let minimumSecretLength = 16
    static let defaultNotifications = [ZitadelQuota.Notification(percent: 10, repeat: true)]
    static let defaultReapplyInterval: Double = 600

    /// At most this many `receiver_urls`: as many as `--cluster.replicas` allows.
    static let maximumReceiverURLs = 16

    /// - Parameter defaultStateFile: from `--storage.path`; `state_file` overrides it.
    /// - Parameter replicas: `--cluster.replicas`; a provisioning entry must
    ///   list that many receiver URLs, so ZITADEL calls every replica.
    static func parse(_ entry: ConfigObject, defaultStateFile: String?, replicas: Int = 1) throws(ConfigError) -> ZitadelInstance {
        let url = try entry.required("url", .url)
        let instanceID = try entry.required("instance_id", .nonEmptyString.map { text, context throws(ConfigError) in
            guard text.count <= 100, text.allSatisfy(instanceIDCharacters.contains) else {
                throw context.error("must consist of letters, digits, \"_\" and \"-\" (at most 100)")
            }
            return text
        })
        let provisioning = try entry.optional("provisioning", .bool) ?? true
        let credentials = try Self.credentials(entry, required: provisioning)
        let receiverURLs = try Self.receiverURLs(entry)
        if provisioning, receiverURLs.isEmpty {
            throw ConfigError(path: entry.path, message: "missing required key \"receiver_url\" (the exporter's own URL as ZITADEL reaches it, e.g. \"http://quota-exporter:8795\"; with several replicas \"receiver_urls\", one per replica)")
        }
        if provisioning, receiverURLs.count != replicas {
            let message = replicas == 1
                ? "lists \(receiverURLs.count) receiver_urls but --cluster.replicas is 1: start every replica with --cluster.replicas=\(receiverURLs.count), so they also share the Cloudflare rate budget"
                : "--cluster.replicas=\(replicas) runs \(replicas) exporters and ZITADEL must call each: list \(replicas) receiver_urls, one per replica (e.g. http://quota-exporter-0.quota-exporter:8795 … for a StatefulSet's pods), found \(receiverURLs.count)"
            throw ConfigError(path: entry.path + (entry.contains("receiver_urls") ? ".receiver_urls" : ".receiver_url"), message: message)
        }
        let receiverSecret = try entry.optionalSecret("receiver_secret")
        if provisioning, receiverURLs.count > 1, receiverSecret == nil {
            throw ConfigError(path: entry.path, message: "several receiver_urls need \"receiver_secret\" (or receiver_secret_file), the same on every replica: a generated secret would live in one replica's state file, and the other replicas would refuse its callUrl")
        }
        if let receiverSecret {
            let text = receiverSecret.revealed
            guard text.count >= minimumSecretLength, text.allSatisfy(secretCharacters.contains) else {
                throw ConfigError(path: entry.path + ".receiver_secret", message: "must be at least \(minimumSecretLength) characters from A-Z a-z 0-9 - _ . ~ (e.g. openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')")
            }
        }
        if !provisioning, receiverSecret == nil {
            throw ConfigError(path: entry.path, message: "with \"provisioning\": false, set \"receiver_secret\": you give ZITADEL the callUrl yourself, so you must know the secret in it")
        }
        let defaultNotifications = try entry.optional("notifications", notificationsType) ?? defaultNotifications
        var quotas: [ZitadelQuota] = []
        for object in try entry.required("quotas", .array(of: .object, minCount: 1)) {
            let quota = try Self.quota(object, defaultNotifications: defaultNotifications)
            guard !quotas.contains(where: { $0.unit == quota.unit }) else {
                throw ConfigError(path: object.path + ".unit", message: "unit \"\(quota.unit.quotaName)\" is listed twice; ZITADEL keeps one quota per unit")
            }
            quotas.append(quota)
        }
        let reapply = try entry.optional("reapply_interval", .duration(in: .seconds(1)...Duration.seconds(86_400 * 7)))
        guard let stateFile = try entry.optional("state_file", .nonEmptyString) ?? defaultStateFile else {
            throw ConfigError(path: entry.path, message: "no state file: set \"state_file\" or start the exporter with --storage.path DIR (notifications and the receiver secret must survive restarts)")
        }
        return ZitadelInstance(
            url: url,
            instanceID: instanceID,
            quotas: quotas,
            credentials: credentials,
            receiverURLs: receiverURLs,
            receiverSecret: receiverSecret,
            provisioning: provisioning,
            reapplyInterval: reapply.map(seconds) ?? defaultReapplyInterval,
            stateFile: stateFile
        )
    }

    /// `receiver_url` (one exporter) or `receiver_urls` (one per replica),
    /// not both; empty when neither is given.
    private static func receiverURLs(_ entry: ConfigObject) throws(ConfigError) -> [HTTPURL] {
        let single = try entry.optional("receiver_url", .url)
        let list = try entry.optional("receiver_urls", ConfigType<[HTTPURL]>.array(of: .url, minCount: 1).map { urls, context throws(ConfigError) in
            guard urls.count <= maximumReceiverURLs else {
                throw context.error("must contain at most \(maximumReceiverURLs) elements (one per replica)")
            }
            var seen: [String: Int] = [:]
            for (index, url) in urls.enumerated() {
                let key = callURL(base: url, instanceID: "", secret: "")
                if let first = seen[key] {
                    throw context.error("elements \(first) and \(index) are the same URL: ZITADEL refuses a quota with two identical notifications, and one replica would get every notification twice")
                }
                seen[key] = index
            }
            return urls
        })
        switch (single, list) {
        case (_?, _?):
            throw ConfigError(path: entry.path, message: "give either \"receiver_url\" or \"receiver_urls\", not both")
        case (let url?, nil):
            return [url]
        case (nil, let urls?):
            return urls
        case (nil, nil):
            return []
        }
    }

    /// `system_user` + `private_key` (or `private_key_file`, or `${ENV}`),
    /// optionally `key_id`; or `token_file`. Exactly one of the two.
    private static func credentials(_ entry: ConfigObject, required: Bool) throws(ConfigError) -> SystemAPICredentials? {
        let userID = try entry.optional("system_user", .nonEmptyString)
        let keyID = try entry.optional("key_id", .nonEmptyString)
        let key = try entry.optionalSecret("private_key")
        let tokenFile = try entry.optional("token_file", .nonEmptyString)
        switch (userID, key, tokenFile) {
        case (let user?, let pem?, nil):
            do {
                return .signedJWT(userID: user, key: try RSAPrivateKey(pem: pem.revealed), keyID: keyID)
            } catch {
                let field = entry.contains("private_key_file") ? "private_key_file" : "private_key"
                throw ConfigError(path: entry.path + "." + field, message: "cannot load the RSA private key: \(error)")
            }
        case (nil, nil, let path?):
            if keyID != nil {
                throw ConfigError(path: entry.path + ".key_id", message: "key_id belongs to system_user + private_key, not token_file")
            }
            do {
                _ = try entry.environment.readFile(path)
            } catch {
                throw ConfigError(path: entry.path + ".token_file", message: "cannot read \"\(path)\": \((error as? FileReadError)?.reason ?? String(describing: error))")
            }
            return .tokenFile(path: path)
        case (nil, nil, nil):
            if required {
                throw ConfigError(path: entry.path, message: "provisioning needs system API credentials: \"system_user\" with \"private_key_file\", or \"token_file\"")
            }
            return nil
        case (_?, nil, _), (nil, _?, _):
            throw ConfigError(path: entry.path, message: "\"system_user\" and \"private_key\" (or \"private_key_file\") go together")
        case (_?, _?, _?):
            throw ConfigError(path: entry.path, message: "give either system_user + private_key_file or token_file, not both")
        }
    }

    private static func quota(_ object: ConfigObject, defaultNotifications: [ZitadelQuota.Notification]) throws(ConfigError) -> ZitadelQuota {
        let unitName = try object.required("unit", .oneOf(ZitadelUnit.allCases.map(\.quotaName)))
        let amount = try object.required("amount", .int(in: 1...Int.max))
        let from = try object.required("from", ConfigType<String>.nonEmptyString.map { text, context throws(ConfigError) in
            // The parser's own message quotes 32 characters; config errors quote less.
            guard let seconds = try? RFC3339.parse(text) else {
                throw context.error("expected an RFC 3339 date-time such as \"2026-01-01T00:00:00Z\", found \(QuotedValue.quote(text))")
            }
            return seconds
        })
        let interval = try object.required("reset_interval", ConfigType<Duration>.duration.map { duration, context throws(ConfigError) in
            let parts = duration.components
            guard parts.attoseconds == 0, parts.seconds >= 60 else {
                throw context.error("must be whole seconds and at least 1m (ZITADEL's minimum), e.g. \"30d\"")
            }
            return Int(parts.seconds)
        })
        return ZitadelQuota(
            unit: ZitadelUnit(quotaName: unitName)!,  // oneOf admitted only these names
            amount: UInt64(amount),
            from: from,
            resetInterval: interval,
            limit: try object.optional("limit", .bool) ?? false,
            notifications: try object.optional("notifications", notificationsType) ?? defaultNotifications
        )
    }

    private static let notificationsType: ConfigType<[ZitadelQuota.Notification]> = .array(of: ConfigType<ConfigObject>.object.map { object, _ throws(ConfigError) in
        ZitadelQuota.Notification(
            percent: try object.required("percent", .int(in: 1...100_000)),
            repeat: try object.optional("repeat", .bool) ?? false
        )
    }, minCount: 1)

    private static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
