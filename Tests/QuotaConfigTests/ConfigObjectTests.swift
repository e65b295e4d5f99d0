import Foundation
import Testing
@testable import QuotaConfig

@Suite struct ConfigObjectTests {
    enum LogLevel: String, CaseIterable, Sendable {
        case debug, info, warn, error
    }

    @Test func readsAWholeDocument() throws {
        let root = try reader(
            """
            {
              "log_level": "debug",
              "scrape": {"timeout": "1m30s", "interval": "5m"},
              "targets": [
                {"provider": "cloudflare", "account_id": "abc", "endpoint": "https://api.cloudflare.com/client/v4",
                 "regions": ["eu", "us"], "max_pages": 10, "ratio": 0.5, "enabled": true,
                 "labels": {"team": "sre", "env": "prod"}}
              ]
            }
            """)
        #expect(try root.required("log_level", .oneOf(LogLevel.self)) == .debug)
        let scrape = try root.required("scrape", .object)
        #expect(try scrape.required("timeout", .duration) == .seconds(90))
        #expect(try scrape.optional("interval", .duration(in: .seconds(1)...(.seconds(3600)))) == .seconds(300))
        let targets = try root.required("targets", .objects)
        #expect(targets.count == 1)
        let target = targets[0]
        #expect(target.path == "targets[0]")
        #expect(try target.required("provider", .oneOf(["cloudflare", "huaweicloud", "zitadel"])) == "cloudflare")
        #expect(try target.required("account_id", .nonEmptyString) == "abc")
        #expect(try target.required("endpoint", .url).host == "api.cloudflare.com")
        #expect(try target.required("regions", .stringArray) == ["eu", "us"])
        #expect(try target.required("max_pages", .int(in: 1...100)) == 10)
        #expect(try target.required("ratio", .double(in: 0...1)) == 0.5)
        #expect(try target.required("enabled", .bool) == true)
        let labels = try target.required("labels", .labels(reserved: ["provider", "account", "quota", "unit"]))
        #expect(labels.map(\.name) == ["team", "env"])
        #expect(labels.map(\.value) == ["sre", "prod"])
        #expect(try target.optional("zone", .string) == nil)
        #expect(throws: Never.self) { try root.finish() }
    }

    @Test func missingRequiredKeyNamesTheObject() throws {
        let root = try reader(#"{"targets": [{"provider": "cloudflare"}, {}]}"#)
        let targets = try root.required("targets", .objects)
        #expect(configError { _ = try targets[1].required("account_id", .string) }
            == ConfigError(path: "targets[1]", message: "missing required key \"account_id\""))
        #expect(configError { _ = try root.required("web", .object) }
            == ConfigError(path: "", message: "missing required key \"web\""))
    }

    @Test func missingRequiredKeyAtTheRootHasNoPathPrefix() {
        let error = ConfigError(path: "", message: "missing required key \"web\"")
        #expect(error.description == "missing required key \"web\"")
        #expect(ConfigError(path: "a.b", message: "bad").description == "a.b: bad")
    }

    /// Each row: the JSON for key `v`, the type to read it as, the expected message.
    @Test func typeMismatchesSayWhatWasExpectedAndFound() throws {
        let root = try reader(#"{"n": 1, "s": "x", "b": true, "a": [], "o": {}, "z": null}"#)
        func message(_ body: () throws -> Void) -> String? { configError(body)?.description }
        #expect(message { _ = try root.required("n", .string) } == "n: expected a string, found a number")
        #expect(message { _ = try root.required("s", .bool) } == "s: expected true or false, found a string")
        #expect(message { _ = try root.required("b", .int) } == "b: expected an integer, found a boolean")
        #expect(message { _ = try root.required("a", .double) } == "a: expected a number, found an array")
        #expect(message { _ = try root.required("o", .stringArray) } == "o: expected an array, found an object")
        #expect(message { _ = try root.required("s", .object) } == "s: expected an object, found a string")
        #expect(message { _ = try root.required("z", .string) } == "z: expected a string, found null")
        #expect(message { _ = try root.required("n", .url) } == "n: expected a string, found a number")
        #expect(message { _ = try root.required("n", .duration) }
            == "n: expected a duration string such as \"30s\", \"5m\" or \"1h30m\", found a number")
        #expect(message { _ = try root.required("n", .oneOf(["a", "b"])) } == "n: expected one of \"a\", \"b\", found a number")
        #expect(message { _ = try root.required("a", .labels(reserved: [])) }
            == "a: expected an object of label names to string values, found an array")
    }

    @Test func explicitNullIsNotTreatedAsAbsent() throws {
        let root = try reader(#"{"timeout": null}"#)
        #expect(configError { _ = try root.optional("timeout", .duration) }?.path == "timeout")
    }

    @Test func arrayElementErrorsNameTheIndex() throws {
        let root = try reader(#"{"targets": [{"regions": ["eu", 7]}, 3]}"#)
        #expect(configError { _ = try root.required("targets", .objects) }
            == ConfigError(path: "targets[1]", message: "expected an object, found a number"))
        let root2 = try reader(#"{"targets": [{"regions": ["eu", 7]}]}"#)
        let target = try root2.required("targets", .objects)[0]
        #expect(configError { _ = try target.required("regions", .stringArray) }
            == ConfigError(path: "targets[0].regions[1]", message: "expected a string, found a number"))
    }

    @Test func arrayMinimumCount() throws {
        let root = try reader(#"{"targets": []}"#)
        #expect(configError { _ = try root.required("targets", .array(of: .object, minCount: 1)) }
            == ConfigError(path: "targets", message: "must contain at least 1 element"))
    }

    @Test func emptyStrings() throws {
        let root = try reader(#"{"a": "", "b": "  "}"#)
        #expect(try root.required("a", .string) == "")
        #expect(configError { _ = try root.required("a", .nonEmptyString) } == ConfigError(path: "a", message: "must not be empty"))
        #expect(configError { _ = try root.required("b", .nonEmptyString) } == ConfigError(path: "b", message: "must not be empty"))
    }

    @Test func integers() throws {
        let root = try reader(#"{"port": 70000, "frac": 1.5, "exp": 1e3, "huge": 99999999999999999999, "neg": -3}"#)
        #expect(try root.required("neg", .int) == -3)
        #expect(configError { _ = try root.required("port", .int(in: 1...65535)) }
            == ConfigError(path: "port", message: "must be between 1 and 65535, found \"70000\""))
        #expect(configError { _ = try root.required("frac", .int) } == ConfigError(path: "frac", message: "expected an integer, found \"1.5\""))
        #expect(configError { _ = try root.required("exp", .int) } == ConfigError(path: "exp", message: "expected an integer, found \"1e3\""))
        #expect(configError { _ = try root.required("huge", .int) }?.message
            == "must be between \(Int.min) and \(Int.max), found \"999999999999\"… (20 characters)")
    }

    @Test func doubles() throws {
        let root = try reader(#"{"big": 1e400, "ratio": 1.5, "whole": 2}"#)
        #expect(try root.required("whole", .double) == 2)
        #expect(configError { _ = try root.required("big", .double) } == ConfigError(path: "big", message: "number \"1e400\" is too large"))
        #expect(configError { _ = try root.required("ratio", .double(in: 0...1)) }
            == ConfigError(path: "ratio", message: "must be between 0.0 and 1.0, found 1.5"))
    }

    @Test func durations() throws {
        let root = try reader(#"{"ok": "500ms", "bad": "5 minutes", "long": "2h", "bare": "30"}"#)
        #expect(try root.required("ok", .duration) == .milliseconds(500))
        #expect(configError { _ = try root.required("bad", .duration) } == ConfigError(
            path: "bad",
            message: "invalid duration \"5 minutes\" (expected a duration string such as \"30s\", \"5m\" or \"1h30m\"; units: ms, s, m, h, d, w, y)"))
        #expect(configError { _ = try root.required("bare", .duration) }?.path == "bare")
        #expect(configError { _ = try root.required("long", .duration(in: .seconds(1)...(.seconds(3600)))) }
            == ConfigError(path: "long", message: "must be between 1s and 1h, found 2h"))
    }

    @Test(arguments: ["ftp://example.com", "/relative/path", "https://", "example.com", "http:///path", "not a url"])
    func rejectsURLsThatAreNotAbsoluteHTTP(text: String) throws {
        let root = try reader(JSONValue.object(["u": .string(text)]).serialized())
        #expect(configError { _ = try root.required("u", .url) }
            == ConfigError(path: "u", message: "expected an absolute http:// or https:// URL with a host"))
    }

    @Test func urlErrorsDoNotRepeatCredentials() throws {
        let root = try reader(#"{"u": "ftp://admin:hunter2@example.com"}"#)
        let error = try #require(configError { _ = try root.required("u", .url) })
        #expect(!error.description.contains("hunter2"))
    }

    @Test func acceptsHTTPAndHTTPSURLs() throws {
        let root = try reader(#"{"a": "http://localhost:8080/x", "b": "HTTPS://Example.com"}"#)
        #expect(try root.required("a", .url).port == 8080)
        #expect(try root.required("b", .url).host.lowercased() == "example.com")
    }

    @Test func oneOfNamesTheChoices() throws {
        let root = try reader(#"{"level": "verbose"}"#)
        #expect(configError { _ = try root.required("level", .oneOf(LogLevel.self)) } == ConfigError(
            path: "level", message: "expected one of \"debug\", \"info\", \"warn\", \"error\", found \"verbose\""))
    }

    @Test func rootMustBeAnObject() {
        #expect(configError { _ = try reader("[1]") } == ConfigError(path: "", message: "expected an object, found an array"))
    }

    @Test func invalidJSONNamesLineAndColumn() {
        #expect(configError { _ = try reader("{\n  \"a\": 1,\n}") }
            == ConfigError(path: "", message: "invalid JSON at line 3, column 1: trailing commas are not allowed"))
    }

    @Test func loadNamesTheFile() {
        let environment = ConfigEnvironment.inMemory(files: ["/etc/q.json": "{\"a\": 1 2}"])
        #expect(configError { _ = try ConfigObject.load(file: "/etc/q.json", environment: environment) } == ConfigError(
            path: "", message: "/etc/q.json: invalid JSON at line 1, column 9: unexpected '2', expected ',' or '}'"))
        #expect(configError { _ = try ConfigObject.load(file: "/etc/missing.json", environment: environment) } == ConfigError(
            path: "", message: "cannot read config file \"/etc/missing.json\": No such file or directory"))
    }

    @Test func loadReadsAFile() throws {
        let environment = ConfigEnvironment.inMemory(files: ["/etc/q.json": #"{"a": "b"}"#])
        let root = try ConfigObject.load(file: "/etc/q.json", environment: environment)
        #expect(try root.required("a", .string) == "b")
    }

    @Test func oddKeysAreQuotedInPaths() throws {
        let root = try reader(#"{"a.b": {"c d": 1}}"#)
        let nested = try root.required("a.b", .object)
        #expect(nested.path == #"["a.b"]"#)
        #expect(configError { _ = try nested.required("c d", .string) }?.path == #"["a.b"]["c d"]"#)
    }

    @Test func customTypesReportTheirPath() throws {
        let region = ConfigType<String>.string.map { text, context throws(ConfigError) in
            guard text.hasPrefix("eu-") || text.hasPrefix("ap-") else { throw context.error("unknown region \"\(text)\"") }
            return text
        }
        let even = ConfigType<Int> { value, context throws(ConfigError) in
            let number = try ConfigType.int.decode(value, in: context)
            guard number % 2 == 0 else { throw context.error("must be even") }
            return number
        }
        let root = try reader(#"{"x": {"region": "mars-1", "count": 3}}"#)
        let x = try root.required("x", .object)
        #expect(configError { _ = try x.required("region", region) } == ConfigError(path: "x.region", message: "unknown region \"mars-1\""))
        #expect(configError { _ = try x.required("count", even) } == ConfigError(path: "x.count", message: "must be even"))
    }

    @Test func containsAndKeysDoNotMarkKeysAsRead() throws {
        let root = try reader(#"{"cloudflare": {}}"#)
        #expect(root.contains("cloudflare"))
        #expect(!root.contains("zitadel"))
        #expect(root.keys == ["cloudflare"])
        #expect(configError { try root.finish() }?.message == "unknown key \"cloudflare\" (no keys are allowed here)")
    }
}
