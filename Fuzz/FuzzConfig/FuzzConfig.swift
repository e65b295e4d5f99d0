import FuzzSupport
import Glibc
import QuotaCollection
import QuotaConfig
@testable import QuotaExporter
import QuotaYAML

/// The configuration file as `--config.file` (and `/-/reload`) reads it:
/// YAML or JSON (`ConfigFile.parse`), `${VAR}` expansion, `*_file` secrets, every built-in provider's
/// validation. Everything comes from memory: the secret files the examples
/// name exist with long distinctive values, and no path reaches the disk
/// (`ConfigEnvironment.inMemory`; the ZITADEL state files are only opened by
/// `configurationApplied`, which this does not call).
///
/// Besides not trapping, an error must not reveal a secret the input did not
/// itself contain (issue 10 item 11: a `${VAR}` or a secret file's text
/// quoted back in a message about a non-secret field).
private let secrets: [String: String] = [
    "/run/secrets/cloudflare-api-token": "fuzzsecret-cf-token-4b7f0c2e9a1d",
    "/run/secrets/cloudflare-global-api-key": "fuzzsecret-cf-global-key-8e2a",
    "/run/secrets/huaweicloud_iam_password": "fuzzsecret-iam-password-5c1d",
    "/run/secrets/huaweicloud_sk": "fuzzsecret-huawei-sk-7a3e9f0b",
    "/run/secrets/sts_ak": "fuzzsecret-sts-ak-2f8c4d1a",
    "/run/secrets/sts_sk": "fuzzsecret-sts-sk-9b0e3c7d",
    "/run/secrets/sts_token": "fuzzsecret-sts-token-6d2f8a4e",
    "/run/secrets/zitadel-receiver-secret": "fuzzsecret-zitadel-receiver-3e7b",
]
private let variables: [String: String] = [
    "CLOUDFLARE_API_TOKEN": "fuzzsecret-env-cf-token-1a9c",
    "CLOUDFLARE_EMAIL": "fuzzsecret-env-cf-email-0d4b",
    "HUAWEICLOUD_SDK_AK": "fuzzsecret-env-huawei-ak-5e8f",
    "ZITADEL_RECEIVER_SECRET": "fuzzsecret-env-zitadel-7c2d",
    "FUZZ_PLAIN": "plain-value",
]

/// A real key for `private_key_file`, read from the seed corpus next to this
/// file so the ZITADEL entries can get past key loading.
private let privateKeyPEM: String = {
    let path = String(describing: #filePath)
        .split(separator: "/", omittingEmptySubsequences: false).dropLast(2).joined(separator: "/")
        + "/corpus/FuzzRSAKey/pkcs8-2048.pem"
    guard let file = fopen(path, "r") else { return "" }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes += buffer[..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}()

private let environment = ConfigEnvironment.inMemory(
    variables: variables,
    files: secrets.merging(["/run/secrets/zitadel-system-user.pem": privateKeyPEM]) { $1 }
)
private let secretValues = Array(secrets.values) + variables.filter { $0.key != "FUZZ_PLAIN" }.map(\.value)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // New providers each time: they remember state files across reloads.
    let providers = Exporter.builtInProviders(context: ProviderContext(logger: .disabled, upstreamCounter: UpstreamRequestCounter()))
    let loader = ConfigurationLoader(providers: providers, environment: environment)
    do {
        let root = try ConfigFile.parse(bytes, environment: environment)
        let configuration = try loader.parse(root, source: "fuzz")
        for target in configuration.targets {
            _ = target.identity.description
        }
    } catch {
        let text = String(decoding: bytes, as: UTF8.self)
        for secret in secretValues where error.description.contains(secret) && !text.contains(secret) {
            fuzzCheck(false, "config error reveals a secret the input did not contain: \(error.description)")
        }
    }
    return 0
}
