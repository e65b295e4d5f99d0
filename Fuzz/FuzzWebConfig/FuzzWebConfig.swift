import FuzzSupport
import QuotaConfig
import QuotaHTTP
@testable import QuotaWeb

/// `--web.config.file`: YAML (or JSON) in, settings or an error out.
/// Besides never trapping: a private key never shows in an error or in the
/// settings' description, an error's line lies inside the document, every
/// accepted user has a bcrypt hash, every accepted header is one of the
/// five exporter-toolkit allows, and TLS settings keep min <= max.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let loader = WebConfigurationLoader(environment: environment)
    let configuration: WebConfiguration
    do {
        configuration = try loader.parse(bytes, directory: "/etc/qe")
    } catch {
        let text = error.description
        fuzzCheck(!text.contains(keyMarker), "an error shows the key file's bytes: \(text.prefix(300))")
        if let location = error.location {
            let lines = bytes.count { $0 == UInt8(ascii: "\n") } + 1
            fuzzCheck(location.line >= 1 && location.line <= lines && location.column >= 1, "error outside the document: \(text.prefix(300))")
        }
        return 0
    }
    for hash in configuration.users.values {
        fuzzCheck(BcryptHash(hash.text) == hash, "a user without a bcrypt hash")
    }
    for header in configuration.headers {
        fuzzCheck(WebConfigurationLoader.configurableHeaders.contains { $0.name == header.name }, "header \(header.name) accepted")
        fuzzCheck(!header.value.utf8.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0 }, "a header value with a line break")
    }
    if let limit = configuration.rateLimit {
        fuzzCheck(limit.burst >= 1 && limit.interval > .zero, "a rate limit that refuses everything or never refills")
    }
    if let tls = configuration.tls {
        fuzzCheck(!tls.description.contains(keyMarker) && !tls.description.contains("PRIVATE"), "settings print the key")
        if let max = tls.maxVersion { fuzzCheck(tls.minVersion <= max, "min_version above max_version") }
        fuzzCheck(!tls.certificateChainPEM.isEmpty && !tls.privateKeyPEM.isEmpty, "TLS without certificate or key")
    }
    return 0
}

private let keyMarker = "KEYBYTES-7f3a"

/// The files a seed may name, relative (to /etc/qe) or absolute.
private let environment = ConfigEnvironment.inMemory(files: [
    "/etc/qe/server.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "/etc/qe/server.key": "-----BEGIN PRIVATE KEY-----\n\(keyMarker)\n-----END PRIVATE KEY-----\n",
    "/etc/qe/ca.pem": "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n",
    "/etc/qe/empty.pem": "\n",
])
