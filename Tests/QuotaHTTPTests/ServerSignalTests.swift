import Foundation
import QuotaConcurrency
import Testing
@testable import QuotaHTTP
#if canImport(Glibc)
import Glibc
#endif

extension ServerTests {
    /// Signals interrupt blocking system calls with EINTR unless
    /// SA_RESTART is set; the loop must retry instead of failing. The
    /// signals are aimed at the loop threads only (by their ids), so
    /// unrelated code running in this test process is not disturbed.
    ///
    /// Threads inherit their creator's signal mask, and the test runner's
    /// worker threads block most signals; so the server is started from a
    /// thread that unblocks SIGUSR1, as a plain process's main thread would.
    @Suite struct Signals {
        @Test func signalStormOnTheLoopThreadBreaksNothing() async throws {
            installNoOpHandler(for: SIGUSR1)
            // Two loops: the first accepts and hands over, and the handover
            // crosses an eventfd that the storm interrupts too.
            var configuration = HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")])
            configuration.eventLoops = 2
            let server = HTTPServer(configuration: configuration, handler: testHandler, logger: .disabled)
            try await blocking {
                var signals = sigset_t()
                sigemptyset(&signals)
                sigaddset(&signals, SIGUSR1)
                pthread_sigmask(SIG_UNBLOCK, &signals, nil)
                try server.start()
            }
            let port = server.boundAddresses[0].port
            do {
                // Each loop thread records its id once it runs.
                try #require(await eventually { server.loopThreadIDs.count == 2 })
                let loopThreads = server.loopThreadIDs

                let stop = Locked(false)
                let sent = Locked(0)
                let signaller = Thread {
                    let tgkill = unsafeBitCast(
                        dlsym(dlopen(nil, RTLD_NOW), "tgkill"),
                        to: (@convention(c) (Int32, Int32, Int32) -> Int32).self
                    )
                    while !stop.current {
                        for tid in loopThreads where tgkill(getpid(), tid, SIGUSR1) == 0 {
                            sent.withLock { $0 += 1 }
                        }
                        usleep(100)
                    }
                }
                signaller.start()

                let results = try await blocking {
                    let body = [UInt8](repeating: UInt8(ascii: "b"), count: 100_000)
                    var echoed = 0
                    let keptAlive = try TestClient(port: port)
                    for index in 0..<100 {
                        let client = try TestClient(port: port)
                        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n")
                        try client.send(body)
                        if try client.readResponse().body == body { echoed += 1 }
                        try keptAlive.send(get("/k\(index)"))
                        if try keptAlive.readResponse().text != "hello /k\(index)" { echoed -= 1000 }
                    }
                    try keptAlive.send(get("/big"))
                    let big = try keptAlive.readResponse()
                    return (echoed, big.body.count)
                }
                stop.set(true)
                #expect(results.0 == 100)
                #expect(results.1 == 5 << 20)
                #expect(sent.current > 100)
                #expect(server.stats.requestsTotal == 201)
            } catch {
                await server.shutdown(gracePeriod: .seconds(1))
                throw error
            }
            await server.shutdown(gracePeriod: .seconds(1))
        }
    }
}

private func installNoOpHandler(for signalNumber: Int32) {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0  // deliberately no SA_RESTART
    sigaction(signalNumber, &action, nil)
}

