import Testing
@testable import QuotaConfig

@Suite struct UnknownKeyTests {
    @Test func unknownKeySuggestsTheClosestAndListsAllowedKeys() throws {
        let root = try reader(
            #"{"targets": [{"account_id": "a", "api_token": "t"}, {"acount_id": "b", "api_token": "t"}]}"#)
        for target in try root.required("targets", .objects) {
            _ = try target.optional("account_id", .string)
            _ = try target.optionalSecret("api_token")
            _ = try target.optional("labels", .labels(reserved: []))
        }
        #expect(configError { try root.finish() } == ConfigError(
            path: "targets[1]",
            message: "unknown key \"acount_id\", did you mean \"account_id\"? (allowed: account_id, api_token, api_token_file, labels)"))
    }

    @Test func unknownKeyWithoutACloseMatch() throws {
        let root = try reader(#"{"port": 1, "colour": "red"}"#)
        _ = try root.required("port", .int)
        #expect(configError { try root.finish() } == ConfigError(path: "", message: "unknown key \"colour\" (allowed: port)"))
    }

    @Test func finishChecksNestedObjectsCreatedFromTheRoot() throws {
        let root = try reader(#"{"web": {"listen": ":9185", "tls": {"cert": "c", "kye": "k"}}}"#)
        let web = try root.required("web", .object)
        _ = try web.required("listen", .string)
        let tls = try web.required("tls", .object)
        _ = try tls.required("cert", .string)
        _ = try tls.optional("key", .string)
        #expect(configError { try root.finish() } == ConfigError(
            path: "web.tls", message: "unknown key \"kye\", did you mean \"key\"? (allowed: cert, key)"))
        #expect(configError { try tls.finish() }?.path == "web.tls")
        #expect(configError { _ = try web.finish() }?.path == "web.tls")
    }

    @Test func aNestedObjectNobodyOpenedIsReportedAsAnUnknownKey() throws {
        let root = try reader(#"{"port": 1, "extra": {"x": 1}}"#)
        _ = try root.required("port", .int)
        #expect(configError { try root.finish() }?.description == "unknown key \"extra\" (allowed: port)")
    }

    @Test func finishPassesWhenEveryKeyWasRead() throws {
        let root = try reader(#"{"a": 1, "b": {"c": true}}"#)
        _ = try root.required("a", .int)
        _ = try root.required("b", .object).required("c", .bool)
        #expect(throws: Never.self) { try root.finish() }
    }

    @Test func optionalKeysThatAreAbsentStillCountAsAllowed() throws {
        let root = try reader(#"{"tiemout": "5s"}"#)
        _ = try root.optional("timeout", .duration)
        #expect(configError { try root.finish() }?.message
            == "unknown key \"tiemout\", did you mean \"timeout\"? (allowed: timeout)")
    }
}
