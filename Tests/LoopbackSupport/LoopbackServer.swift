import Foundation
import Glibc

/// A Python loopback server (see `loopbackScript`) for one test: started on
/// an ephemeral 127.0.0.1 port, killed when the test is done.
public final class LoopbackServer: @unchecked Sendable {
    public let port: Int
    private let child: Spawned

    /// Starts a server on a thread of its own: Python's start-up and the
    /// blocking read of its port must not hold one of the few cooperative
    /// threads the other suites in this process need.
    public static func start(_ arguments: String...) async throws -> LoopbackServer {
        try await offPool { try LoopbackServer(arguments) }
    }

    private init(_ arguments: [String]) throws {
        // The system python directly: a version manager's shim costs a shell and more per start.
        let python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "/usr/local/bin/python3"
        child = try Spawned([python, "-c", loopbackScript] + arguments)
        guard let port = Int(child.readLine()) else {
            child.closeInputAndWait()
            throw LoopbackError(message: "loopback server did not start")
        }
        self.port = port
    }

    public func stop() {
        // Closing its stdin is the server's signal to exit (see the script).
        child.closeInputAndWait()
    }

    public var base: String { "http://127.0.0.1:\(port)" }

    /// The server's counters, read over a plain socket so the client under
    /// test does not count itself.
    public func stats() async throws -> [String: Int] {
        let body = try await offPool { try self.plainGet("/stats") }
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Int]
        return object ?? [:]
    }

    public func release() async throws {
        _ = try await offPool { try self.plainGet("/release") }
    }

    private func plainGet(_ path: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackError(message: "socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw LoopbackError(message: "connect") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw LoopbackError(message: "bad stats answer") }
        return String(text[split.upperBound...])
    }
}

public struct LoopbackError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}

/// Runs blocking test-support work on a thread of its own.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
