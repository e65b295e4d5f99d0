import QuotaCollection
import QuotaConfig
import QuotaExposition
import QuotaLogging

/// Maps the body of `GET /V1.0/{project_id}/quotas` to readings:
///
///     {"quotas": {"resources": [{"type": "alarm", "used": 10, "unit": "", "quota": 1000, "min": 0, "max": 2000}]}}
///
/// One reading per resource, named `ces_<type>`. The one place the
/// mapping lives; `docs/huaweicloud-ces.md` describes it.
enum CESQuotaResponse {
    /// The unit label when the API gives none (the seed's example has `""`).
    static let defaultUnit = "count"

    static func readings(_ body: [UInt8], region: String, logger: Logger) throws(CollectorError) -> [QuotaReading] {
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw CollectorError(.decode, "CES quotas response is not JSON: \(error)")
        }
        guard let resources = json["quotas"]?["resources"]?.arrayValue else {
            throw CollectorError(.decode, "CES quotas response has no quotas.resources array")
        }
        var readings: [QuotaReading] = []
        var seen: Set<String> = []
        for (index, resource) in resources.enumerated() {
            guard let type = resource["type"]?.stringValue, !type.isEmpty else {
                logger.warn("skipping a CES quota resource without a type", ["index": String(index)])
                continue
            }
            guard seen.insert(type).inserted else {
                logger.warn("skipping a repeated CES quota resource", ["type": type])
                continue
            }
            readings.append(try reading(resource, type: type, region: region, path: "quotas.resources[\(index)]"))
        }
        return readings
    }

    static func reading(_ resource: JSONValue, type: String, region: String, path: String = "resource") throws(CollectorError) -> QuotaReading {
        let unit = resource["unit"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? defaultUnit
        var reading = QuotaReading(quota: "ces_" + type, unit: unit, labels: [Label("region", region)])
        reading.usage = try number(resource, "used", path: path)
        if let used = reading.usage, used < 0 {
            throw CollectorError(.decode, "\(path).used: expected a number of at least 0, found \(QuotedValue.quote(String(used)))")
        }
        // A negative quota is how several Huawei services say "unlimited";
        // CES does not document one, so nothing is derived from it.
        if let quota = try number(resource, "quota", path: path), quota >= 0 {
            reading.limit = quota
            if let used = reading.usage {
                // Usage above a lowered quota shows in quota_usage > quota_limit;
                // "remaining" cannot be less than nothing.
                reading.remaining = max(0, quota - used)
                reading.exhausted = used >= quota
            }
        }
        for field in ["min", "max"] {
            // Written back from the parsed value, so a label never carries
            // a literal of thousands of digits.
            if let value = try number(resource, field, path: path) {
                let integer = Int64(exactly: value)
                reading.info.append(Label(field, integer.map { String($0) } ?? String(value)))
            }
        }
        return reading
    }

    /// A finite number, nil when absent or null; a string, a boolean or a
    /// number beyond `Double` (`1e400`) is a decode error naming the field.
    static func number(_ resource: JSONValue, _ key: String, path: String) throws(CollectorError) -> Double? {
        guard let field = resource[key], !field.isNull else { return nil }
        guard let number = field.numberValue else {
            throw CollectorError(.decode, "\(path).\(key): expected a number, found \(field.typeDescription)")
        }
        guard let value = number.doubleValue else {
            throw CollectorError(.decode, "\(path).\(key): number \(QuotedValue.quote(number.literal)) is out of range")
        }
        return value
    }
}
