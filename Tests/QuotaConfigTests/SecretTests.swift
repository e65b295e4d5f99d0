import Foundation
import Testing
@testable import QuotaConfig

@Suite struct SecretPrintingTests {
    struct Credentials {
        let user: String
        let token: Secret
    }

    let secret = Secret("hunter2")

    @Test func neverPrintsItsValue() {
        var dumped = ""
        dump(secret, to: &dumped)
        var dumpedInside = ""
        dump(Credentials(user: "bob", token: secret), to: &dumpedInside)
        let renderings = [
            "\(secret)",
            String(describing: secret),
            String(reflecting: secret),
            secret.description,
            secret.debugDescription,
            "\([secret])",
            "\(Optional(secret) as Any)",
            String(describing: Credentials(user: "bob", token: secret)),
            String(reflecting: Credentials(user: "bob", token: secret)),
            dumped,
            dumpedInside,
            "\(Mirror(reflecting: secret).children.map { "\($0)" })",
        ]
        for rendering in renderings {
            #expect(!rendering.contains("hunter2"), "leaked in: \(rendering)")
        }
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect(dumped == "- <redacted>\n")
        #expect(dumpedInside.contains("token: <redacted>"))
    }

    @Test func revealedGivesTheValue() {
        #expect(secret.revealed == "hunter2")
        #expect(secret == Secret("hunter2"))
        #expect(secret != Secret("other"))
    }
}

@Suite struct SecretResolutionTests {
    let token = "s3cr3t-token-value"

    func target(_ json: String, _ environment: ConfigEnvironment = .inMemory()) throws -> ConfigObject {
        try reader(#"{"targets": [{}, {"cloudflare": \#(json)}]}"#, environment: environment)
            .required("targets", .objects)[1]
            .required("cloudflare", .object)
    }

    @Test func inlineValue() throws {
        let cloudflare = try target(#"{"api_token": "abc"}"#)
        #expect(try cloudflare.requiredSecret("api_token").revealed == "abc")
    }

    @Test func environmentReference() throws {
        let environment = ConfigEnvironment.inMemory(variables: ["CF_TOKEN": token])
        let cloudflare = try target(#"{"api_token": "${CF_TOKEN}"}"#, environment)
        #expect(try cloudflare.requiredSecret("api_token").revealed == token)
    }

    @Test func onlyAWholeStringIsAReference() throws {
        let environment = ConfigEnvironment.inMemory(variables: ["CF_TOKEN": token])
        let cloudflare = try target(#"{"api_token": "prefix-${CF_TOKEN}"}"#, environment)
        #expect(try cloudflare.requiredSecret("api_token").revealed == "prefix-${CF_TOKEN}")
    }

    @Test func unsetVariable() throws {
        let cloudflare = try target(#"{"api_token": "${CF_TOKEN}"}"#)
        #expect(configError { _ = try cloudflare.requiredSecret("api_token") } == ConfigError(
            path: "targets[1].cloudflare.api_token", message: "environment variable CF_TOKEN is not set"))
    }

    @Test func emptyVariable() throws {
        let cloudflare = try target(#"{"api_token": "${CF_TOKEN}"}"#, .inMemory(variables: ["CF_TOKEN": ""]))
        #expect(configError { _ = try cloudflare.requiredSecret("api_token") } == ConfigError(
            path: "targets[1].cloudflare.api_token", message: "environment variable CF_TOKEN is empty"))
    }

    @Test(arguments: ["${}", "${1ABC}", "${A-B}", "${A}B}"])
    func invalidReference(text: String) throws {
        let cloudflare = try target(JSONValue.object(["api_token": .string(text)]).serialized())
        #expect(configError { _ = try cloudflare.requiredSecret("api_token") } == ConfigError(
            path: "targets[1].cloudflare.api_token",
            message: "invalid environment variable reference (expected ${NAME}, NAME matching [A-Za-z_][A-Za-z0-9_]*)"))
    }

    @Test func inlineMustBeANonEmptyString() throws {
        #expect(configError { _ = try target(#"{"api_token": ""}"#).requiredSecret("api_token") }
            == ConfigError(path: "targets[1].cloudflare.api_token", message: "must not be empty"))
        #expect(configError { _ = try target(#"{"api_token": 12345}"#).requiredSecret("api_token") }
            == ConfigError(path: "targets[1].cloudflare.api_token", message: "expected a string, found a number"))
    }

    @Test func fileIsTrimmed() throws {
        let environment = ConfigEnvironment.inMemory(files: ["/run/secrets/cf": "  \(token)\n\n"])
        let cloudflare = try target(#"{"api_token_file": "/run/secrets/cf"}"#, environment)
        #expect(try cloudflare.requiredSecret("api_token").revealed == token)
    }

    @Test func missingFile() throws {
        let cloudflare = try target(#"{"api_token_file": "/run/secrets/cf"}"#)
        #expect(configError { _ = try cloudflare.requiredSecret("api_token") }?.description
            == #"targets[1].cloudflare.api_token_file: cannot read "/run/secrets/cf": No such file or directory"#)
    }

    @Test func emptyFile() throws {
        let environment = ConfigEnvironment.inMemory(files: ["/run/secrets/cf": " \n"])
        let cloudflare = try target(#"{"api_token_file": "/run/secrets/cf"}"#, environment)
        #expect(configError { _ = try cloudflare.requiredSecret("api_token") } == ConfigError(
            path: "targets[1].cloudflare.api_token_file", message: "file \"/run/secrets/cf\" is empty"))
    }

    @Test func fileThatIsNotText() throws {
        let environment = ConfigEnvironment(variables: [:], readFile: { _ in [0xFF, 0xFE] })
        let cloudflare = try target(#"{"api_token_file": "/run/secrets/cf"}"#, environment)
        #expect(configError { _ = try cloudflare.requiredSecret("api_token") } == ConfigError(
            path: "targets[1].cloudflare.api_token_file", message: "\"/run/secrets/cf\" is not UTF-8 text"))
    }

    @Test func readerErrorsOfOtherTypesAreDescribed() throws {
        struct Denied: Error, CustomStringConvertible {
            var description: String { "denied by policy" }
        }
        let environment = ConfigEnvironment(variables: [:], readFile: { _ in throw Denied() })
        let cloudflare = try target(#"{"api_token_file": "/x"}"#, environment)
        #expect(configError { _ = try cloudflare.requiredSecret("api_token") }?.message == "cannot read \"/x\": denied by policy")
    }

    @Test func filePathMustBeANonEmptyString() throws {
        #expect(configError { _ = try target(#"{"api_token_file": ""}"#).requiredSecret("api_token") }
            == ConfigError(path: "targets[1].cloudflare.api_token_file", message: "must not be empty"))
    }

    @Test func bothGiven() throws {
        let cloudflare = try target(#"{"api_token": "a", "api_token_file": "/f"}"#)
        #expect(configError { _ = try cloudflare.requiredSecret("api_token") } == ConfigError(
            path: "targets[1].cloudflare", message: "give either api_token or api_token_file, not both"))
    }

    @Test func neitherGiven() throws {
        let cloudflare = try target("{}")
        #expect(configError { _ = try cloudflare.requiredSecret("api_token") }
            == ConfigError(path: "targets[1].cloudflare", message: "missing api_token (or api_token_file)"))
        #expect(try cloudflare.optionalSecret("api_token") == nil)
    }

    @Test func errorsNeverContainTheValue() throws {
        let environment = ConfigEnvironment.inMemory(variables: ["EMPTY": ""], files: ["/empty": "\n"])
        let documents = [
            #"{"api_token": "\#(token)", "api_token_file": "/f"}"#,
            #"{"api_token": ["\#(token)"]}"#,
            #"{"api_token": "${\#(token)}"}"#,
            #"{"api_token": "${EMPTY}"}"#,
            #"{"api_token_file": "/empty"}"#,
        ]
        for document in documents {
            let cloudflare = try target(document, environment)
            let error = configError { _ = try cloudflare.requiredSecret("api_token") }
            #expect(error != nil)
            #expect(error.map { !$0.description.contains(token) } ?? true, "leaked in: \(String(describing: error))")
        }
    }
}

@Suite struct SecretFileOnDiskTests {
    @Test func readsARealFileWithTheProcessReader() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("quota-secret-\(UUID().uuidString)").path
        try Data("disk-token\r\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let environment = ConfigEnvironment(variables: [:], readFile: ConfigEnvironment.readFileFromDisk)
        let root = try reader(JSONValue.object(["token_file": .string(path)]).serialized(), environment: environment)
        #expect(try root.requiredSecret("token").revealed == "disk-token")
        #expect(throws: Never.self) { try root.finish() }
    }

    @Test func reportsTheSystemReason() {
        let missing = "/nonexistent-\(UUID().uuidString)/token"
        #expect(throws: FileReadError(path: missing, reason: "No such file or directory")) {
            try ConfigEnvironment.readFileFromDisk(missing)
        }
        let directory = FileManager.default.temporaryDirectory.path
        #expect(throws: FileReadError(path: directory, reason: "not a regular file (a directory); only regular files are read")) {
            try ConfigEnvironment.readFileFromDisk(directory)
        }
        #expect(FileReadError(path: "/x", reason: "Permission denied").description == #"cannot read "/x": Permission denied"#)
    }

    @Test func processEnvironmentSeesRealVariables() {
        #expect(ConfigEnvironment.process.variables["PATH"] != nil)
    }
}
