import Foundation
import QuotaCollection
import QuotaConfig
import QuotaExposition
import QuotaHuaweiCES
import QuotaLogging
import Testing

private func provider() -> HuaweiCESProvider {
    HuaweiCESProvider(context: ProviderContext(logger: .disabled, upstreamCounter: UpstreamRequestCounter()))
}

/// Parses `json` as an entry at `huaweicloud_ces[0]` and returns the error, if any.
private func configError(_ json: String, variables: [String: String] = ["AK": "ak", "SK": "sk"]) -> ConfigError? {
    do {
        let root = try ConfigObject.parse(Array(#"{"huaweicloud_ces":[\#(json)]}"#.utf8), environment: .inMemory(variables: variables))
        for entry in try root.required("huaweicloud_ces", .objects) {
            _ = try provider().targets(from: entry, common: TargetCommon(path: entry.path))
        }
        try root.finish()
        return nil
    } catch {
        return error
    }
}

@Suite("huaweicloud_ces configuration")
struct CESConfigurationTests {
    static let base = #""region":"ap-southeast-1","project_id":"p1""#

    @Test("an access key pair or iam makes one target named after the project")
    func validEntries() throws {
        #expect(configError("{\(Self.base),\"access_key\":\"${AK}\",\"secret_key\":\"${SK}\"}") == nil)
        #expect(configError("{\(Self.base),\"iam\":{\"domain\":\"d\",\"user\":\"u\",\"password\":\"${SK}\"}}") == nil)
        let entry = try ConfigObject.parse(Array("{\(Self.base),\"access_key\":\"ak\",\"secret_key\":\"sk\"}".utf8))
        let targets = try provider().targets(from: entry, common: TargetCommon(labels: [Label("team", "obs")]))
        #expect(targets.map(\.identity) == [TargetIdentity(provider: "huaweicloud_ces", account: "p1", collector: "ces_quotas")])
        #expect(targets[0].labels == [Label("team", "obs")])
    }

    @Test("exactly one authentication method, errors name the field", arguments: [
        (#","access_key":"${AK}","secret_key":"${SK}","iam":{"domain":"d","user":"u","password":"x"}"#,
         "huaweicloud_ces[0].access_key: give either an access key pair or iam, not both"),
        ("", "huaweicloud_ces[0]: missing authentication: give access_key and secret_key (or their _file forms), or iam {domain, user, password}"),
        (#","access_key":"${AK}""#, "huaweicloud_ces[0].secret_key: missing secret_key (or secret_key_file): access_key needs its secret key"),
        (#","secret_key":"${SK}""#, "huaweicloud_ces[0].access_key: missing access_key (or access_key_file): secret_key needs its access key"),
        (#","security_token":"${SK}""#, "huaweicloud_ces[0].access_key: missing access_key and secret_key: security_token is used only with them"),
        (#","iam":{"domain":"d","user":"u"}"#, "huaweicloud_ces[0].iam: missing password (or password_file)"),
        (#","iam":{"domain":"d","user":"u","password":"x","pasword":"y"}"#, #"huaweicloud_ces[0].iam: unknown key "pasword", did you mean "password"? (allowed: domain, endpoint, password, password_file, user)"#),
    ])
    func authenticationErrors(extra: String, message: String) {
        #expect(configError("{\(Self.base)\(extra)}")?.description == message)
    }

    @Test("region, project and endpoint are checked", arguments: [
        (#"{"region":"AP_Southeast","project_id":"p1","access_key":"a","secret_key":"s"}"#, "huaweicloud_ces[0].region: expected a region name such as \"ap-southeast-1\" (lowercase letters, digits and -)"),
        (#"{"region":"ap-southeast-1","access_key":"a","secret_key":"s"}"#, "huaweicloud_ces[0]: missing required key \"project_id\""),
        (#"{"region":"ap-southeast-1","project_id":"\#(String(repeating: "p", count: 65))","access_key":"a","secret_key":"s"}"#, "huaweicloud_ces[0].project_id: must be at most 64 characters (a project ID from IAM or the console)"),
        (#"{"region":"ap-southeast-1","project_id":"p1","endpoint":"ces.example","access_key":"a","secret_key":"s"}"#, "huaweicloud_ces[0].endpoint: expected an absolute http:// or https:// URL with a host"),
    ])
    func fieldErrors(json: String, message: String) {
        #expect(configError(json)?.description == message)
    }

    @Test("config errors never quote a secret")
    func errorsDoNotQuoteSecrets() {
        let error = configError(#"{"region":"ap-southeast-1","project_id":"p1","access_key":"AKSECRETISH","secret_key":12345}"#)
        #expect(error?.description == "huaweicloud_ces[0].secret_key: expected a string, found a number")
    }

    @Test("default endpoints follow the region; eu-west-101 is under myhuaweicloud.eu")
    func defaultEndpoints() {
        #expect(HuaweiCESProvider.defaultEndpoints(region: "ap-southeast-1") == ("https://ces.ap-southeast-1.myhuaweicloud.com", "https://iam.ap-southeast-1.myhuaweicloud.com"))
        #expect(HuaweiCESProvider.defaultEndpoints(region: "eu-west-101") == ("https://ces.eu-west-101.myhuaweicloud.eu", "https://iam.eu-west-101.myhuaweicloud.eu"))
    }

    @Test("region is reserved: readings carry it, static labels may not")
    func reservedLabels() {
        #expect(provider().reservedLabels == ["region", "min", "max"])
        #expect(provider().name == "huaweicloud_ces")
    }

    @Test("environment variables: all four make a target, some is an error, none is nothing")
    func environmentTargets() throws {
        let all = ["HUAWEICLOUD_SDK_AK": "ak", "HUAWEICLOUD_SDK_SK": "sk", "HUAWEICLOUD_SDK_PROJECT_ID": "p9", "HUAWEICLOUD_SDK_REGION": "la-south-2"]
        let targets = try provider().environmentTargets(.inMemory(variables: all), common: TargetCommon(path: "environment"))
        #expect(targets.map(\.identity.account) == ["p9"])
        #expect(try provider().environmentTargets(.inMemory(variables: [:]), common: TargetCommon()).isEmpty)
        var partial = all
        partial["HUAWEICLOUD_SDK_REGION"] = nil
        #expect(throws: ConfigError(path: "environment", message: "HUAWEICLOUD_SDK_REGION is not set (huaweicloud_ces needs HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_REGION)")) {
            try provider().environmentTargets(.inMemory(variables: partial), common: TargetCommon())
        }
    }
}
