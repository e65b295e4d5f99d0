import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import QuotaHTTP

struct TestClientError: Error, CustomStringConvertible {
    let description: String
}

/// A response as the raw test client read it.
struct TestResponse: Sendable {
    let status: Int
    /// Lower-cased names.
    let headers: [String: String]
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A deliberately dumb blocking HTTP client on a raw socket, so tests can
/// send malformed, partial and pipelined requests. Every read has a timeout
/// so a broken server fails a test instead of hanging it. Unchecked
/// Sendable: a test hands a client from one thread to the next, never uses
/// it from two at once.
///
/// With `tls`, the same over OpenSSL: the handshake happens in `init`, and
/// every byte sent and read goes through the TLS session.
final class TestClient: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var tls: TLSSession?

    init(port: UInt16, host: String = "127.0.0.1", timeoutSeconds: Int = 5, tls context: TLSClientContext? = nil) throws {
        // Connected before `fd` is set: once every stored property is set,
        // a throw runs `deinit`, and a descriptor closed here as well would
        // be closed twice. The second close hit whatever the number was
        // reused for meanwhile: a socket of another test in this process
        // (a ZITADEL receiver's client got "Empty reply from server").
        fd = try Self.connectedSocket(port: port, host: host, timeoutSeconds: timeoutSeconds)
        if let context {
            let session = try TLSSession(contextHandle: context.handle, fd: fd, isServer: false)
            session.setServerName("localhost")
            tls = session
            let step = session.handshake()
            guard step == .done else {
                throw TestClientError(description: "TLS handshake with \(host):\(port): \(step)")
            }
        }
    }

    /// A blocking socket connected to `host`:`port`, or an error with
    /// nothing left open.
    private static func connectedSocket(port: UInt16, host: String, timeoutSeconds: Int) throws -> Int32 {
        let family = host.contains(":") ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestClientError(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result: Int32
        if family == AF_INET6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw TestClientError(description: "connect \(host):\(port): errno \(code)")
        }
        return fd
    }

    deinit {
        Glibc.close(fd)
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        if let tls {
            var offset = 0
            while offset < bytes.count {
                let step = bytes.withUnsafeBytes { tls.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
                guard case .bytes(let written) = step else { throw TestClientError(description: "TLS send: \(step)") }
                offset += written
            }
            return
        }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TestClientError(description: "send: errno \(errno)")
            }
            offset += n
        }
    }

    /// Reads one response; `isHead` means no body follows whatever
    /// Content-Length says.
    func readResponse(isHead: Bool = false) throws -> TestResponse {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = findHeadEnd()
            if headEnd == nil {
                guard try fill() else { throw TestClientError(description: "connection closed before a response head") }
            }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw TestClientError(description: "bad status line in \(head)")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body: [UInt8] = []
        if !isHead, status >= 200, let length = headers["content-length"].flatMap({ Int($0) }) {
            while buffer.count < length {
                guard try fill() else { throw TestClientError(description: "connection closed inside a body") }
            }
            body = Array(buffer[..<length])
            buffer.removeFirst(length)
        }
        return TestResponse(status: status, headers: headers, body: body)
    }

    /// True if the server closed (EOF or reset) within the read timeout,
    /// discarding anything else it sent first.
    func waitForClose() -> Bool {
        bytesUntilClose() != nil
    }

    /// What arrived before the server closed; nil if it did not close
    /// within the read timeout.
    func bytesUntilClose() -> [UInt8]? {
        while true {
            do {
                guard try fill() else {
                    defer { buffer.removeAll() }
                    return buffer
                }
            } catch {
                return nil
            }
        }
    }

    /// True when no byte is waiting and the connection is still open.
    func hasNothingToRead() -> Bool {
        if let tls {
            // Decrypting is the only way to tell records with data from
            // session tickets: read without blocking, keep what came.
            guard buffer.isEmpty else { return false }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            defer { _ = fcntl(fd, F_SETFL, flags) }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let step = chunk.withUnsafeMutableBytes { tls.read(into: $0) }
            if case .bytes(let count) = step { buffer.append(contentsOf: chunk[..<count]) }
            return step == .wantRead
        }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return buffer.isEmpty && n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    /// Reads a little of whatever is coming, e.g. the start of a large body.
    func readSome(atLeast count: Int) throws {
        while buffer.count < count {
            guard try fill() else { return }
        }
    }

    /// Appends one read to the buffer; false on EOF or reset.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        if let tls {
            switch chunk.withUnsafeMutableBytes({ tls.read(into: $0) }) {
            case .bytes(let count):
                buffer.append(contentsOf: chunk[..<count])
                return true
            case .closed:
                return false
            case .wantRead, .wantWrite:
                throw TestClientError(description: "read timed out")
            case .failed(let reason):
                // A reset after the server closed reads as an error here.
                if reason.contains("reset") || reason.contains("Broken pipe") { return false }
                throw TestClientError(description: "TLS read: \(reason)")
            case .done, .plainHTTP:
                return false
            }
        }
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n > 0 {
                buffer.append(contentsOf: chunk[..<n])
                return true
            }
            if n == 0 { return false }
            switch errno {
            case EINTR: continue
            case ECONNRESET: return false
            case EAGAIN: throw TestClientError(description: "read timed out")
            default: throw TestClientError(description: "recv: errno \(errno)")
            }
        }
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }
}
