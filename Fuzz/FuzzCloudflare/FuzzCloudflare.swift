import FuzzSupport
import QuotaCollection
import QuotaConfig
@testable import QuotaCloudflare

/// A Cloudflare answer body: the v4 envelope (`success`, `errors`,
/// `messages`, `result`) under the statuses that take different paths, then
/// each endpoint's `result` fields (numbers, booleans, `reset_time` and
/// `build_minutes_refresh_on` timestamps, the spending-limit `config`).
/// Readings must carry no NaN, and an error, once the collector has
/// redacted it, must not contain the token even when the body echoes it.
private let token = "fuzzsecret-cloudflare-token-0123456789abcdef"
private let credential = CloudflareCredential.apiToken(Secret(token))

private func check(_ readings: [QuotaReading]) {
    for reading in readings {
        for value in [reading.limit, reading.usage, reading.remaining, reading.resetTimestamp, reading.periodStartTimestamp] {
            fuzzCheck(value.map { !$0.isNaN } ?? true, "NaN in \(reading)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    let cases: [(status: Int, endpoints: [CloudflareEndpoint])] = [
        (200, CloudflareEndpoint.allCases), (403, [.dexCommands]), (404, [.workersBuilds]),
        (429, [.aiGatewaySpending]), (500, [.dexCommands]),
    ]
    for (status, endpoints) in cases {
        let response = UpstreamResponse(status: status, headers: ["retry-after": "30"], body: body)
        for endpoint in endpoints {
            do {
                guard let result = try CloudflareResponse.result(of: response, endpoint: endpoint, credential: credential),
                      let fields = ResultFields(result, path: "result") else { continue }
                check(try endpoint.readings(from: fields))
            } catch {
                let redacted = error.redacting(credential.secretValues)
                fuzzCheck(!redacted.description.contains(token), "token in a redacted error: \(redacted)")
            }
        }
    }
    return 0
}
