import Foundation
import QuotaConfig
import QuotaYAML
import Testing
@testable import QuotaZitadel

@Suite struct ExampleConfigTests {
    /// examples/zitadel.yaml must stay a valid configuration (its first
    /// instance_id is unquoted digits, read as the string it spells).
    @Test func exampleConfigurationIsValid() async throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/zitadel.yaml").path
        let keys = try await RSAKeyFixtures.get()
        let environment = ConfigEnvironment.inMemory(
            variables: ["ZITADEL_RECEIVER_SECRET": "receive-only-secret-0123456789"],
            files: [
                path: try String(contentsOfFile: path, encoding: .utf8),
                "/run/secrets/zitadel-system-user.pem": keys.rsa2048.pkcs1,
                "/run/secrets/zitadel-receiver-secret": "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0\n",
            ]
        )
        let root = try ConfigFile.load(file: path, environment: environment)
        _ = try root.optional("global", .object).map { global in
            for key in global.keys { _ = try global.optional(key, .json) }
        }
        let provider = makeProvider(storagePath: "/var/lib/quota_exporter")
        var identities: [String] = []
        for entry in try root.required("zitadel", .objects) {
            _ = try entry.optional("labels", .json)
            identities += try provider.targets(from: entry, common: .init(path: entry.path)).map(\.identity.description)
        }
        try root.finish()
        #expect(identities == [
            "zitadel/231848297847848958/quotas", "zitadel/231848297847848958/provisioning",
            "zitadel/231848297847848959/quotas",
        ])
    }
}
