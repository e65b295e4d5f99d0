import QuotaExposition

/// What was built: exported as `quota_exporter_build_info` and printed by
/// `--version`. `revision` is written into `BuildRevision.swift` by the
/// release build (see deploy/Dockerfile); a plain checkout says "unknown".
public enum BuildInfo {
    public static let version = "0.1.0"
    public static let revision = buildRevision

    /// The compiler that built the binary, as far as `#if compiler` can tell.
    public static var swiftVersion: String {
        #if compiler(>=6.4)
        return "6.4+"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }

    public static var versionText: String {
        "quota_exporter, version \(version) (revision: \(revision))\n  swift version: \(swiftVersion)"
    }

    public static var family: MetricFamily {
        MetricFamily(
            name: "quota_exporter_build_info",
            help: "A metric with a constant '1' value labeled by version, revision and swift_version from which quota_exporter was built.",
            type: .info,
            samples: [Sample(labels: [Label("version", version), Label("revision", revision), Label("swift_version", swiftVersion)], value: 1)]
        )
    }
}
