import QuotaCollection
import QuotaExposition

/// The families whose values change at every scrape (process, build,
/// reload, upstream requests, provider extras), rendered with everything
/// but their values prepared once per format.
///
/// These are the exporter's own, so they skip the normaliser (which checks
/// names and labels that come from outside): re-normalising and
/// re-rendering them was half of a cached scrape.
struct LiveFamilies: Sendable {
    let reloadSuccessful: FixedFamily
    let reloadTimestamp: FixedFamily
    let buildInfo: RenderedFamily

    init(format: ExpositionFormat) {
        reloadSuccessful = FixedFamily(
            name: "quota_exporter_config_last_reload_successful", help: "Whether the last configuration reload attempt was successful.",
            type: .gauge, format: format
        )
        reloadTimestamp = FixedFamily(
            name: "quota_exporter_config_last_reload_success_timestamp_seconds", help: "Timestamp of the last successful configuration reload.",
            type: .gauge, format: format
        )
        let build = BuildInfo.family
        buildInfo = FixedFamily(name: build.name, help: build.help, type: build.type, labels: build.samples[0].labels, format: format).rendered(1)
    }

    static let text = LiveFamilies(format: .text)
    static let openMetrics = LiveFamilies(format: .openMetrics)

    static func of(_ format: ExpositionFormat) -> LiveFamilies {
        format == .text ? text : openMetrics
    }
}
