import Foundation
import QuotaCollection
import QuotaExposition
import Testing

private let pid = FakeHuaweiCloud.projectID
private let series = #"provider="huaweicloud_ces",account="\#(pid)""#
private let health = #"provider="huaweicloud_ces",account="\#(pid)",collector="ces_quotas""#

/// The `errors_total` lines of one target: every reason 0 except `failed`.
func errorLines(failed: String? = nil) -> [String] {
    ["api_error", "auth", "decode", "http", "internal", "network", "rate_limited", "timeout"].map {
        #"quota_exporter_collector_errors_total{\#(health),reason="\#($0)"} \#($0 == failed ? 1 : 0)"#
    }
}

@Suite("CES quotas as exposition lines")
struct CESExpositionTests {
    @Test("the seed's example, AK/SK signed and verified by the fake, becomes these exact lines")
    func seedExampleWithAccessKey() async throws {
        try await Harness.run { harness in
            let lines = await harness.samples(try harness.targets(harness.accessKeyEntry()))
            #expect(lines == [
                #"quota_exhausted{\#(series),quota="ces_alarm",unit="count",region="ap-southeast-1"} 0"#,
            ] + errorLines() + [
                #"quota_exporter_collector_up{\#(health)} 1"#,
                #"quota_limit{\#(series),quota="ces_alarm",unit="count",region="ap-southeast-1"} 1000"#,
                #"quota_remaining{\#(series),quota="ces_alarm",unit="count",region="ap-southeast-1"} 990"#,
                #"quota_usage{\#(series),quota="ces_alarm",unit="count",region="ap-southeast-1"} 10"#,
            ])
            #expect(harness.fake.rejections.isEmpty)
            let request = try #require(harness.fake.cesRequests.first)
            let authorization = try #require(request.headers["Authorization"])
            #expect(authorization.hasPrefix("SDK-HMAC-SHA256 Access=\(FakeHuaweiCloud.accessKey), SignedHeaders=host;x-project-id;x-sdk-date, Signature="))
            #expect(request.headers["X-Project-Id"] == pid)
            #expect(request.headers["X-Auth-Token"] == nil)
            #expect(harness.leakedLines.isEmpty, "\(harness.leakedLines)")
        }
    }

    @Test("the seed's example through an IAM token gives the same lines")
    func seedExampleWithToken() async throws {
        try await Harness.run { harness in
            let lines = await harness.samples(try harness.targets(harness.iamEntry()))
            #expect(lines.contains(#"quota_limit{\#(series),quota="ces_alarm",unit="count",region="ap-southeast-1"} 1000"#))
            #expect(lines.contains(#"quota_exporter_collector_up{\#(health)} 1"#))
            let request = try #require(harness.fake.cesRequests.first)
            #expect(request.headers["X-Auth-Token"] == "token-1")
            #expect(request.headers["Authorization"] == nil)
            #expect(harness.leakedLines.isEmpty, "\(harness.leakedLines)")
        }
    }

    @Test("min and max become quota_info labels; units, over-use, missing and negative fields; static labels last")
    func mappingEdges() async throws {
        try await Harness.run { harness in
            harness.fake.quotasBody = """
                {"quotas":{"resources":[
                  {"type":"alarm","used":1200,"unit":"rules","quota":1000,"min":0,"max":2000},
                  {"type":"event","used":5,"quota":100,"max":500},
                  {"type":"dashboard","unit":"","quota":20},
                  {"type":"template","used":3,"quota":-1},
                  {"used":1,"quota":2},
                  {"type":"alarm","used":1,"quota":2}
                ]}}
                """
            let targets = try harness.targets(harness.accessKeyEntry(), labels: [Label("team", "obs")])
            let lines = await harness.samples(targets).filter { !$0.hasPrefix("quota_exporter_") }
            let alarm = #"\#(series),quota="ces_alarm",unit="rules",region="ap-southeast-1",team="obs""#
            let event = #"\#(series),quota="ces_event",unit="count",region="ap-southeast-1",team="obs""#
            let dashboard = #"\#(series),quota="ces_dashboard",unit="count",region="ap-southeast-1",team="obs""#
            let template = #"\#(series),quota="ces_template",unit="count",region="ap-southeast-1",team="obs""#
            #expect(lines == [
                #"quota_exhausted{\#(alarm)} 1"#,
                #"quota_exhausted{\#(event)} 0"#,
                #"quota_info{\#(alarm),min="0",max="2000"} 1"#,
                #"quota_info{\#(event),max="500"} 1"#,
                #"quota_limit{\#(alarm)} 1000"#,
                #"quota_limit{\#(dashboard)} 20"#,
                #"quota_limit{\#(event)} 100"#,
                #"quota_remaining{\#(alarm)} 0"#,
                #"quota_remaining{\#(event)} 95"#,
                #"quota_usage{\#(alarm)} 1200"#,
                #"quota_usage{\#(event)} 5"#,
                #"quota_usage{\#(template)} 3"#,
            ])
            #expect(harness.logs.lines.contains { $0.contains("skipping a CES quota resource without a type") })
            #expect(harness.logs.lines.contains { $0.contains("skipping a repeated CES quota resource") && $0.contains("type=alarm") })
        }
    }

    @Test("temporary credentials sign X-Security-Token")
    func securityToken() async throws {
        try await Harness.run { harness in
            harness.fake.requireSecurityToken = true
            let lines = await harness.samples(try harness.targets(harness.accessKeyEntry(#","security_token_file":"/run/secrets/sts""#)))
            #expect(lines.contains(#"quota_exporter_collector_up{\#(health)} 1"#))
            let authorization = try #require(harness.fake.cesRequests.first?.headers["Authorization"])
            #expect(authorization.contains("SignedHeaders=host;x-project-id;x-sdk-date;x-security-token,"))
            #expect(harness.leakedLines.isEmpty, "\(harness.leakedLines)")
        }
    }

    @Test("without the security token the fake refuses temporary credentials")
    func securityTokenMissing() async throws {
        try await Harness.run { harness in
            harness.fake.requireSecurityToken = true
            let lines = await harness.samples(try harness.targets(harness.accessKeyEntry()))
            #expect(lines.contains(#"quota_exporter_collector_up{\#(health)} 0"#))
            #expect(lines.contains(#"quota_exporter_collector_errors_total{\#(health),reason="auth"} 1"#))
        }
    }

    @Test("an endpoint with a trailing slash is joined and signed correctly")
    func endpointWithTrailingSlash() async throws {
        try await Harness.run { harness in
            let entry = harness.accessKeyEntry().replacingOccurrences(of: "\"endpoint\":\"\(harness.endpoint)\"", with: "\"endpoint\":\"\(harness.endpoint)/\"")
            let lines = await harness.samples(try harness.targets(entry))
            #expect(lines.contains(#"quota_exporter_collector_up{\#(health)} 1"#))
            #expect(harness.fake.cesRequests.first?.path == "/V1.0/\(pid)/quotas")
        }
    }
}
