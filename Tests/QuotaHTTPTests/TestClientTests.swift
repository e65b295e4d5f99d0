import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing

/// The raw client is shared by every HTTP suite of this test process, which
/// runs them in parallel: a descriptor it closes twice closes, the second
/// time, a socket or pipe some other test has just opened under the same
/// number.
@Suite struct TestClientTests {
    /// A refused connect used to close its socket in `init` and again in
    /// `deinit` (a throwing initialiser of a class runs `deinit` once every
    /// stored property is set). Another thread opening and checking pipes
    /// meanwhile lost thousands of them in 20 000 attempts; none now.
    @Test func aRefusedConnectClosesNothingOfAnotherThread() throws {
        let port = try reservedPortWithoutListener()
        defer { close(port.fd) }
        let stop = Atomic(false)
        let lost = Atomic(0)
        let checks = Atomic(0)
        let watcher = Thread {
            while !stop.load(ordering: .relaxed) {
                var ends: [Int32] = [-1, -1]
                guard pipe(&ends) == 0 else { continue }
                for _ in 0..<50 where fcntl(ends[0], F_GETFD) < 0 || fcntl(ends[1], F_GETFD) < 0 {
                    lost.add(1, ordering: .relaxed)
                }
                checks.add(1, ordering: .relaxed)
                close(ends[0])
                close(ends[1])
            }
        }
        watcher.start()
        var refused = 0
        for _ in 0..<20_000 where (try? TestClient(port: port.number)) == nil {
            refused += 1
        }
        stop.store(true, ordering: .relaxed)
        #expect(refused == 20_000)
        #expect(checks.load(ordering: .relaxed) > 0, "the watcher thread ran")
        #expect(lost.load(ordering: .relaxed) == 0, "descriptors of another thread were closed under it")
    }
}

/// A loopback port bound but not listening: connects to it are refused,
/// and nothing else can take it while `fd` is open.
private func reservedPortWithoutListener() throws -> (fd: Int32, number: UInt16) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw TestClientError(description: "socket: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else {
        close(fd)
        throw TestClientError(description: "bind: errno \(errno)")
    }
    return (fd, UInt16(bigEndian: address.sin_port))
}
