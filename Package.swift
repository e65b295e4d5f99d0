// swift-tools-version:6.0
import PackageDescription

/// The module graph is the architecture: leaf modules with one job each
/// (a shared lock, logging, exposition, HTTP, configuration, crypto), the collection
/// machinery above them, the providers above that, and `QuotaExporter`
/// wiring it all into an application that the thin executable starts.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "quota_exporter",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "quota_exporter", targets: ["quota_exporter"]),
    ],
    targets: [
        .target(name: "QuotaConcurrency", swiftSettings: strict),
        // libcurl, OpenSSL and zlib (opened at run time, no dev headers needed)
        // and the Linux calls Swift's Glibc module leaves out.
        .target(name: "CQuotaSystem"),
        .target(name: "QuotaOutbound", dependencies: ["CQuotaSystem"], swiftSettings: strict),
        .target(name: "QuotaLogging", dependencies: ["QuotaConcurrency"], swiftSettings: strict),
        .target(name: "QuotaExposition", swiftSettings: strict),
        .target(name: "QuotaHTTP", dependencies: ["QuotaConcurrency", "QuotaLogging", "QuotaTime", "CQuotaSystem"], swiftSettings: strict),
        // Small string helpers that replace Foundation's (trimming).
        .target(name: "QuotaText", swiftSettings: strict),
        .target(name: "QuotaConfig", dependencies: ["QuotaText"], swiftSettings: strict),
        .target(name: "QuotaYAML", dependencies: ["QuotaConfig"], swiftSettings: strict),
        .target(name: "QuotaCrypto", dependencies: ["QuotaText", "QuotaConfig"], swiftSettings: strict),
        .target(name: "QuotaTime", swiftSettings: strict),
        // exporter-toolkit's web config: TLS settings, basic auth (libcrypt's
        // bcrypt through CQuotaSystem), response headers, re-reading.
        .target(
            name: "QuotaWeb",
            dependencies: ["QuotaHTTP", "QuotaConfig", "QuotaYAML", "QuotaCrypto", "QuotaLogging", "QuotaConcurrency", "QuotaText", "CQuotaSystem"],
            swiftSettings: strict
        ),
        .target(
            name: "QuotaCollection",
            dependencies: ["QuotaConcurrency", "QuotaLogging", "QuotaExposition", "QuotaConfig", "QuotaHTTP", "QuotaTime", "QuotaOutbound", "QuotaText"],
            swiftSettings: strict
        ),
        .target(
            name: "QuotaCloudflare",
            dependencies: ["QuotaCollection", "QuotaConfig", "QuotaExposition", "QuotaLogging", "QuotaCrypto", "QuotaTime", "QuotaText"],
            swiftSettings: strict
        ),
        .target(
            name: "QuotaHuaweiCES",
            dependencies: ["QuotaCollection", "QuotaConfig", "QuotaExposition", "QuotaLogging", "QuotaCrypto", "QuotaTime", "QuotaText"],
            swiftSettings: strict
        ),
        .target(
            name: "QuotaZitadel",
            dependencies: ["QuotaCollection", "QuotaConfig", "QuotaExposition", "QuotaLogging", "QuotaCrypto", "QuotaHTTP", "QuotaConcurrency", "QuotaTime", "QuotaText"],
            swiftSettings: strict
        ),
        .target(
            name: "QuotaExporter",
            dependencies: [
                "QuotaConcurrency", "QuotaLogging", "QuotaExposition", "QuotaHTTP", "QuotaConfig", "QuotaCollection",
                "QuotaCloudflare", "QuotaHuaweiCES", "QuotaZitadel", "QuotaTime", "QuotaCrypto", "QuotaYAML", "QuotaText", "QuotaWeb",
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "quota_exporter", dependencies: ["QuotaExporter"], swiftSettings: strict),

        .testTarget(name: "QuotaExpositionTests", dependencies: ["QuotaExposition"]),
        .testTarget(name: "QuotaHTTPTests", dependencies: ["QuotaHTTP", "QuotaLogging", "QuotaConcurrency", "CQuotaSystem", "LoopbackSupport"]),
        .testTarget(name: "QuotaConfigTests", dependencies: ["QuotaConfig"]),
        .testTarget(name: "QuotaYAMLTests", dependencies: ["QuotaYAML", "QuotaConfig", "LoopbackSupport"]),
        /// Python loopback servers (HTTP, TLS, h2, CONNECT proxies), openssl-made
        /// test certificates and a posix_spawn child, shared by the test targets
        /// that talk to real servers.
        .target(name: "LoopbackSupport", path: "Tests/LoopbackSupport"),
        .testTarget(name: "LoopbackSupportTests", dependencies: ["LoopbackSupport"]),
        .testTarget(name: "QuotaOutboundTests", dependencies: ["QuotaOutbound", "LoopbackSupport"]),
        .testTarget(name: "QuotaCryptoTests", dependencies: ["QuotaCrypto", "LoopbackSupport"]),
        .testTarget(name: "QuotaTimeTests", dependencies: ["QuotaTime", "LoopbackSupport"]),
        .testTarget(name: "QuotaTextTests", dependencies: ["QuotaText"]),
        .testTarget(name: "QuotaWebTests", dependencies: ["QuotaWeb", "QuotaHTTP", "QuotaConfig", "QuotaLogging", "LoopbackSupport"]),
        .testTarget(name: "QuotaCollectionTests", dependencies: ["QuotaCollection", "QuotaExposition", "QuotaLogging", "QuotaConfig", "QuotaHTTP", "LoopbackSupport"]),
        .testTarget(name: "QuotaCloudflareTests", dependencies: ["QuotaCloudflare", "QuotaCollection", "QuotaExposition", "QuotaHTTP", "QuotaConfig", "QuotaLogging"]),
        .testTarget(name: "QuotaHuaweiCESTests", dependencies: ["QuotaHuaweiCES", "QuotaCollection", "QuotaExposition", "QuotaHTTP", "QuotaConfig", "QuotaLogging", "QuotaCrypto", "QuotaTime", "LoopbackSupport"]),
        .testTarget(name: "QuotaZitadelTests", dependencies: ["QuotaZitadel", "QuotaConcurrency", "QuotaCollection", "QuotaExposition", "QuotaHTTP", "QuotaConfig", "QuotaLogging", "QuotaCrypto", "QuotaTime", "QuotaYAML", "LoopbackSupport"]),
        .testTarget(
            name: "QuotaExporterTests",
            dependencies: ["QuotaExporter", "QuotaHTTP", "QuotaConcurrency", "QuotaCollection", "QuotaExposition", "QuotaConfig", "QuotaLogging", "QuotaYAML", "QuotaWeb", "LoopbackSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

/// libFuzzer harnesses, one per parser of outside input (`scripts/fuzz.sh`,
/// README "Fuzzing"). Only declared when `QUOTA_EXPORTER_FUZZ=1`, so the
/// normal build and `swift test` never see them: they must be built with
/// `-sanitize=fuzzer` (coverage and libFuzzer's driver) and `-enable-testing`
/// (they reach internal parsers through `@testable import`, as tests do).
if Context.environment["QUOTA_EXPORTER_FUZZ"] == "1" {
    let harnesses: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzHTTPRequest", ["QuotaHTTP"]),
        ("FuzzHTTPHead", ["QuotaHTTP"]),
        ("FuzzChunkedBody", ["QuotaHTTP"]),
        ("FuzzJSON", ["QuotaConfig"]),
        ("FuzzConfig", ["QuotaExporter", "QuotaCollection", "QuotaConfig", "QuotaYAML"]),
        ("FuzzYAML", ["QuotaYAML", "QuotaConfig"]),
        ("FuzzAccept", ["QuotaExposition"]),
        ("FuzzAcceptEncoding", ["QuotaHTTP"]),
        ("FuzzCloudflare", ["QuotaCloudflare", "QuotaCollection", "QuotaConfig"]),
        ("FuzzHuaweiCES", ["QuotaHuaweiCES", "QuotaCollection", "QuotaLogging"]),
        ("FuzzIAMToken", ["QuotaHuaweiCES", "QuotaConfig"]),
        ("FuzzZitadel", ["QuotaZitadel", "QuotaCollection"]),
        ("FuzzRSAKey", ["QuotaCrypto"]),
        ("FuzzRFC3339", ["QuotaTime"]),
        ("FuzzDuration", ["QuotaConfig", "QuotaExporter"]),
        ("FuzzRetryAfter", ["QuotaCollection", "QuotaTime"]),
        ("FuzzScrape", ["QuotaExporter", "QuotaHTTP", "QuotaCollection", "QuotaConfig"]),
        ("FuzzBasicAuth", ["QuotaWeb", "QuotaCrypto"]),
        ("FuzzWebConfig", ["QuotaWeb", "QuotaConfig", "QuotaHTTP"]),
        ("FuzzTLSServer", ["QuotaHTTP", "CQuotaSystem"]),
    ]
    package.targets += [
        .target(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport", swiftSettings: strict),
    ]
    package.targets += harnesses.map { harness in
        .executableTarget(
            name: harness.name,
            dependencies: ["CLibFuzzer", "FuzzSupport"] + harness.dependencies,
            path: "Fuzz/" + harness.name,
            swiftSettings: strict
        )
    }
}
