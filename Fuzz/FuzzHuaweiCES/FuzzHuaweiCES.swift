import FuzzSupport
import QuotaCollection
import QuotaLogging
@testable import QuotaHuaweiCES

/// A Cloud Eye answer body: `GET /V1.0/{project_id}/quotas` as readings
/// (numbers of any size and sign, repeated or missing types), and the same
/// bytes as the error body of a refused CES or IAM call, in both of
/// Huawei's shapes. Readings carry no NaN; a redacted error never holds the
/// secret, even when the body echoes it.
private let secret = "fuzzsecret-huawei-sk-0123456789abcdef"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    if let readings = try? CESQuotaResponse.readings(body, region: "ap-southeast-1", logger: .disabled) {
        for reading in readings {
            for value in [reading.limit, reading.usage, reading.remaining] {
                fuzzCheck(value.map { !$0.isNaN } ?? true, "NaN in \(reading)")
            }
        }
    }
    _ = HuaweiErrorBody.parse(body)?.summary
    for (status, service) in [(400, "CES"), (401, "IAM"), (403, "CES"), (429, "CES"), (500, "IAM")] {
        let response = UpstreamResponse(status: status, headers: ["x-request-id": "fuzz", "retry-after": "5"], body: body)
        let error = HuaweiErrorMapping.collectorError(response, service: service).redacting([secret])
        fuzzCheck(!error.description.contains(secret), "secret in a redacted error: \(error)")
    }
    return 0
}
