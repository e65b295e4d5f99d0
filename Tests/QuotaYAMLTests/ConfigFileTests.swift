import QuotaConfig
import Testing
@testable import QuotaYAML

private func yamlReader(_ text: String, environment: ConfigEnvironment = .inMemory()) throws(ConfigError) -> ConfigObject {
    try ConfigFile.parse(Array(text.utf8), environment: environment)
}

private func configError(_ body: () throws -> Void) -> ConfigError? {
    do {
        try body()
        Issue.record("expected a ConfigError, but nothing was thrown")
        return nil
    } catch let error as ConfigError {
        return error
    } catch {
        Issue.record("expected a ConfigError, got \(error)")
        return nil
    }
}

/// The loader's choice between YAML and JSON, and the config layer's
/// rules for YAML scalars.
@Suite struct ConfigFileTests {
    @Test func formatIsChosenByContent() {
        let json = ["{\"a\": 1}", "  \n\t{", "[1]", "\u{FEFF}{}", "// comment\n{}", "", " \n "]
        let yaml = ["a: 1", "# comment\n{\"a\": 1}", "---\n{a: 1}", "\"a\": 1", "- x", "a"]
        for text in json { #expect(ConfigFile.format(of: Array(text.utf8)) == .json, "\(text.debugDescription)") }
        for text in yaml { #expect(ConfigFile.format(of: Array(text.utf8)) == .yaml, "\(text.debugDescription)") }
    }

    /// Everything that reached the JSON parser before still does, with the same message.
    @Test func jsonErrorsAreUnchanged() {
        for text in ["{\n  \"a\": 1,\n}", "{a: 1}", "{\"a\": 1} x", "", "// c\n{}", "[1]", "{\"a\": 01}", "{'a': 1}"] {
            let before = configError { _ = try ConfigObject.parse(Array(text.utf8), environment: .inMemory()) }
            let now = configError { _ = try yamlReader(text) }
            #expect(before != nil && before == now, "\(text.debugDescription)")
        }
    }

    @Test func yamlAndJSONGiveTheSameReader() throws {
        let yaml = try yamlReader("global:\n  timeout: 30s\nstatic:\n  - account: a\n    labels: {team: edge}\n")
        let json = try ConfigObject.parse(Array(#"{"global": {"timeout": "30s"}, "static": [{"account": "a", "labels": {"team": "edge"}}]}"#.utf8))
        #expect(yaml.members == json.members)
        #expect(yaml.sourceMap != nil)
        #expect(json.sourceMap == nil)
    }

    @Test func yamlErrorsNameLineAndColumn() {
        #expect(configError { _ = try yamlReader("a: 1\na: 2\n") }
            == ConfigError(path: "", message: #"invalid YAML at line 2, column 1: duplicate key "a""#))
        #expect(configError { _ = try yamlReader("- a\n") } == ConfigError(path: "", message: "expected an object, found an array"))
        let environment = ConfigEnvironment.inMemory(files: ["/etc/q.yaml": "a: [1\n"])
        #expect(configError { _ = try ConfigFile.load(file: "/etc/q.yaml", environment: environment) }
            == ConfigError(path: "", message: "/etc/q.yaml: invalid YAML at line 1, column 4: unterminated flow collection"))
        #expect(configError { _ = try ConfigFile.load(file: "/etc/none.yaml", environment: environment) }
            == ConfigError(path: "", message: "cannot read config file \"/etc/none.yaml\": No such file or directory"))
    }

    @Test func loadReadsEitherFormat() throws {
        let environment = ConfigEnvironment.inMemory(files: ["/etc/q.yaml": "a: b\n", "/etc/q.json": #"{"a": "b"}"#])
        #expect(try ConfigFile.load(file: "/etc/q.yaml", environment: environment).required("a", .string) == "b")
        #expect(try ConfigFile.load(file: "/etc/q.json", environment: environment).required("a", .string) == "b")
    }

    // MARK: Numbers where strings are expected

    /// An unquoted integer stands for a string only when its text is
    /// exactly its decimal form, so nothing the user wrote is lost.
    @Test func digitsStandForAStringOnlyWhenTheTextSurvives() throws {
        let root = try yamlReader("""
            id: 1234567890
            negative: -5
            zeros: 0123456789
            hex: 0x10
            plus: +7
            float: 1.50
            big: 123456789012345678901234567890
            hexish: 0123456789abcdef0123456789abcdef
            quoted: "0123"
            count: 0x10
            """)
        #expect(try root.required("id", .string) == "1234567890")
        #expect(try root.required("negative", .string) == "-5")
        #expect(try root.required("big", .nonEmptyString) == "123456789012345678901234567890")
        #expect(try root.required("hexish", .string) == "0123456789abcdef0123456789abcdef")
        #expect(try root.required("quoted", .string) == "0123")
        #expect(try root.required("count", .int) == 16)
        let hint = "expected a string, found a number (YAML reads an unquoted value with a sign, leading zeros, 0x, 0o, a fraction or an exponent as a number that does not keep its text: put it in quotes)"
        for key in ["zeros", "hex", "plus", "float"] {
            #expect(configError { _ = try root.required(key, .string) } == ConfigError(path: key, message: hint))
        }
    }

    @Test func theRuleHoldsForLabelsSecretsAndChoices() throws {
        let root = try yamlReader("""
            labels: {cost_center: 4711}
            api_token: 123456789
            level: 2
            """)
        let labels = try root.required("labels", .labels(reserved: []))
        #expect(labels.first?.value == "4711")
        let again = try yamlReader("labels: {zip: 01234}\n")
        #expect(configError { _ = try again.required("labels", .labels(reserved: [])) }?.path == "labels.zip")
        #expect(try root.requiredSecret("api_token").revealed == "123456789")
        #expect(try root.required("level", .oneOf(["1", "2"])) == "2")
    }

    @Test func booleansAndNullsWhereStringsAreExpectedSayToQuote() throws {
        let root = try yamlReader("a: true\nb:\nc: yes\n")
        #expect(configError { _ = try root.required("a", .string) } == ConfigError(
            path: "a", message: "expected a string, found a boolean (YAML reads unquoted true, false, null, ~ and an empty value this way: put it in quotes)"))
        #expect(configError { _ = try root.required("b", .string) }?.message.hasPrefix("expected a string, found null (YAML reads") == true)
        #expect(try root.required("c", .string) == "yes")
        #expect(configError { _ = try root.required("c", .bool) } == ConfigError(path: "c", message: "expected true or false, found a string"))
    }

    /// JSON keeps its old rule: a number is never a string.
    @Test func jsonNumbersAreNeverStrings() throws {
        let root = try yamlReader(#"{"id": 1234}"#)
        #expect(configError { _ = try root.required("id", .string) } == ConfigError(path: "id", message: "expected a string, found a number"))
    }

    // MARK: Locations of validation errors

    @Test func validationErrorsGetTheFieldsLocation() throws {
        let root = try yamlReader("global:\n  timeout: 30\nstatic:\n  - account: a\n")
        let global = try root.required("global", .object)
        let error = try #require(configError { _ = try global.required("timeout", .duration) })
        let located = try #require(root.sourceMap).locate(error)
        #expect(located.location == ConfigSourceLocation(line: 2, column: 3))
        #expect(located.description == #"global.timeout (line 2, column 3): expected a duration string such as "30s", "5m" or "1h30m", found a number"#)
        let missing = try #require(root.sourceMap).locate(ConfigError(path: "static[0]", message: "missing required key \"quotas\""))
        #expect(missing.description == #"static[0] (line 4, column 3): missing required key "quotas""#)
        let whole = try #require(root.sourceMap).locate(ConfigError(path: "", message: "x"))
        #expect(whole.location == nil)
    }
}
