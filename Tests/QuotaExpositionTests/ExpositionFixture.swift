import QuotaExposition

/// A family set with every edge case the writer handles, for checking real
/// renderings with external parsers (`promtool check metrics`, the Python
/// client's parsers). Kept lint-clean for promtool: counters end in
/// `_total`, every family has HELP, names are snake_case in base units.
enum ExpositionFixture {
    static let families: [MetricFamily] = [
        MetricFamily(
            name: "quota_exporter_limit",
            help: "Quota limit \"as reported\" by the provider, from C:\\quotas.\nSecond line of help.",
            type: .gauge,
            samples: [
                sample(100, [("provider", "aws"), ("account", "prod"), ("region", "us-east-1"), ("quota", "vcpus")]),
                sample(5, [("provider", "aws"), ("account", "prod"), ("region", "eu-west-1"), ("quota", "vcpus")]),
                sample(1e21, [("provider", "gcp"), ("account", "Zürich 東京 🚀"), ("region", "europe-west6"), ("quota", "bytes")]),
                sample(7, [("provider", "azure"), ("account", #"back\slash"#), ("region", "quote\"d"), ("quota", "new\nline")]),
                sample(9_007_199_254_740_992, [("provider", "oci"), ("account", ""), ("region", "ap-tokyo-1"), ("quota", "objects")]),
            ]
        ),
        // A second part of the same family, as a second collector returns it.
        MetricFamily(
            name: "quota_exporter_limit",
            help: "Quota limit \"as reported\" by the provider, from C:\\quotas.\nSecond line of help.",
            type: .gauge,
            samples: [
                sample(.infinity, [("provider", "cloudflare"), ("account", "a1"), ("region", "global"), ("quota", "unlimited")]),
            ]
        ),
        MetricFamily(
            name: "quota_exporter_usage_ratio",
            help: "Used share of the quota, 0 to 1.",
            type: .gauge,
            samples: [
                sample(0.1, [("quota", "a_tenth")]),
                sample(1e-7, [("quota", "b_tiny")]),
                sample(-0.0, [("quota", "c_negative_zero")]),
                sample(.nan, [("quota", "d_unknown")]),
                sample(-.infinity, [("quota", "e_minus_inf")]),
                sample(0.30000000000000004, [("quota", "f_float_sum")]),
                sample(2.5e-300, [("quota", "g_denormal_ish")]),
            ]
        ),
        MetricFamily(
            name: "quota_exporter_upstream_errors_total",
            help: "Upstream API errors since start.",
            type: .counter,
            samples: [
                sample(0, [("provider", "aws"), ("code", "throttled")]),
                sample(123_456_789_012_345, [("provider", "aws"), ("code", "timeout")]),
                sample(1.5, [("provider", "gcp"), ("code", "quota_exceeded")]),
                sample(.infinity, [("provider", "gcp"), ("code", "unbounded")]),
            ]
        ),
        MetricFamily(
            name: "quota_exporter_build_info",
            help: "Build information; value is always 1.",
            type: .info,
            samples: [
                sample(1, [
                    ("version", "1.0.0"), ("revision", "abc123"), ("branch", "main"), ("goversion", "none"),
                    ("swift_version", "6.3.1"), ("os", "linux"), ("arch", "x86_64"), ("tags", "a,b;c=d {e}"),
                    ("l9", "9"), ("l10", "10"), ("l11", "11"), ("l12", "12"),
                ]),
            ]
        ),
        MetricFamily(
            name: "quota_exporter_up",
            help: "Whether the last collection succeeded.",
            type: .gauge,
            samples: [Sample(value: 1)]
        ),
    ]

    private static func sample(_ value: Double, _ labels: [(String, String)]) -> Sample {
        Sample(labels: labels.map { Label($0.0, $0.1) }, value: value)
    }
}
