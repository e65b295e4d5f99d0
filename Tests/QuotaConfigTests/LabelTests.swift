import Testing
@testable import QuotaConfig

@Suite struct LabelTests {
    let reserved: Set<String> = ["provider", "account", "quota", "unit"]

    func labelError(_ json: String) throws -> ConfigError? {
        let target = try reader(#"{"targets": [{"labels": \#(json)}]}"#).required("targets", .objects)[0]
        return configError { _ = try target.required("labels", .labels(reserved: reserved)) }
    }

    @Test func keepsLabelsInDocumentOrder() throws {
        let root = try reader(#"{"labels": {"z": "1", "_a": "2", "B9": "3"}}"#)
        let labels = try root.required("labels", .labels(reserved: reserved))
        #expect(labels.map { "\($0.name)=\($0.value)" } == ["z=1", "_a=2", "B9=3"])
    }

    @Test func emptyObjectMeansNoLabels() throws {
        #expect(try reader(#"{"labels": {}}"#).required("labels", .labels(reserved: reserved)).isEmpty)
    }

    @Test(arguments: ["team-name", "9lives", "", "é", "a.b"])
    func invalidNames(name: String) throws {
        let json = JSONValue.object([name: "x"]).serialized()
        let error = try #require(try labelError(json))
        #expect(error.message == "invalid label name \(QuotedValue.quote(name)) (must match [a-zA-Z_][a-zA-Z0-9_]*)")
        #expect(error.path == "targets[0].labels")
    }

    @Test func invalidNameErrorMatchesTheDocumentedExample() throws {
        #expect(try labelError(#"{"team-name": "x"}"#)?.description
            == "targets[0].labels: invalid label name \"team-name\" (must match [a-zA-Z_][a-zA-Z0-9_]*)")
    }

    @Test func doubleUnderscoreIsReservedForPrometheus() throws {
        #expect(try labelError(#"{"__name__": "x"}"#) == ConfigError(
            path: "targets[0].labels.__name__", message: "label names starting with \"__\" are reserved for Prometheus"))
    }

    @Test func exporterLabelsAreReserved() throws {
        #expect(try labelError(#"{"ok": "1", "provider": "x"}"#) == ConfigError(
            path: "targets[0].labels.provider",
            message: "label name \"provider\" is reserved by the exporter (reserved: account, provider, quota, unit)"))
    }

    @Test func valuesMustBeNonEmptyStrings() throws {
        #expect(try labelError(#"{"team": 1}"#)
            == ConfigError(path: "targets[0].labels.team", message: "expected a string, found a number"))
        #expect(try labelError(#"{"team": ""}"#) == ConfigError(
            path: "targets[0].labels.team", message: "label value must not be empty (an empty label is the same as no label)"))
    }
}
