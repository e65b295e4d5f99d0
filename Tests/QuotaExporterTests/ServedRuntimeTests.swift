#if canImport(Glibc)
import Glibc
#endif
import Foundation
import QuotaExporter
import QuotaHTTP
import QuotaLogging
import Testing

/// The runtime behind the real socket server, in process.
@Suite struct ServedRuntimeTests {
    @Test func hundredsOfIdleConnectionsDoNotDelayAScrape() async throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 2048 {
            limit.rlim_cur = min(limit.rlim_max, 4096)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let runtime = try makeRuntime(staticConfig)
        let server = HTTPServer(
            // Idle peers are only let go after a minute: a server that served
            // connections one at a time would make the scrape wait at least that.
            configuration: HTTPServerConfiguration(
                listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")],
                headTimeout: .seconds(60), idleTimeout: .seconds(120), maxConnections: 1024
            ),
            handler: runtime.handler,
            logger: .disabled
        )
        try server.start()
        let port = server.boundAddresses[0].port

        // 400 clients that connect and say nothing, and 50 that send half a request.
        var idle: [Int32] = []
        for index in 0..<450 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            #expect(connected == 0)
            if index >= 400 {
                _ = "GET /metrics HTTP/1.1\r\nHost: x\r\n".withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            }
            idle.append(fd)
        }
        let started = ContinuousClock.now
        let response = try await fetch(port: Int(port), path: "/metrics")
        let elapsed = ContinuousClock.now - started
        #expect(response.status == 200)
        #expect(response.body.contains("quota_limit{"))
        // Half the head timeout: proves the scrape did not queue behind the
        // idle peers, with room for a machine busy with other test suites.
        // (Latency figures come from scripts/bench.sh, not from tests.)
        #expect(elapsed < .seconds(30))
        #expect(server.stats.openConnections >= 450)
        for fd in idle { close(fd) }
        await server.shutdown(gracePeriod: 1)
    }

    @Test func headServesHeadersOnly() async throws {
        let runtime = try makeRuntime(staticConfig)
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")]),
            handler: runtime.handler,
            logger: .disabled
        )
        try server.start()
        let port = Int(server.boundAddresses[0].port)
        let head = try await fetch(port: port, path: "/metrics", method: "HEAD")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(Int(head.headers["content-length"] ?? "0") ?? 0 > 1000)
        await server.shutdown(gracePeriod: 1)
    }
}
