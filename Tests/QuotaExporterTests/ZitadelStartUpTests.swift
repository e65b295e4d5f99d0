import Dispatch
import Foundation
import Testing

/// The binary with ZITADEL entries: what start-up does with the state file
/// before anything is served.
@Suite struct ZitadelStartUpTests {
    static let secret = "0123456789abcdef-_"

    static func config(instance: String = "inst1") -> String {
        #"{"zitadel": [{"url": "https://z.example", "instance_id": "\#(instance)", "provisioning": false, "receiver_secret": "\#(secret)", "quotas": [{"unit": "requests_all_authenticated", "amount": 100000, "from": "2026-01-01T00:00:00Z", "reset_interval": "30d"}]}]}"#
    }

    /// Two processes on one `--storage.path` used to both write the state
    /// file, each replacing the other's notifications.
    @Test func aSecondProcessOnOneStoragePathRefusesToStartNamingTheFileAndHolder() async throws {
        let directory = TemporaryDirectory()
        let file = directory.write("config.json", Self.config())
        let storage = directory.path + "/storage"
        let first = try ExporterProcess(["--config.file=\(file)", "--storage.path=\(storage)", "--web.listen-address=127.0.0.1:0"])
        _ = try #require(await first.waitForPort(), "no listening line in: \(first.stderr)")

        let second = try await ExporterProcess.run(["--config.file=\(file)", "--storage.path=\(storage)", "--web.listen-address=127.0.0.1:0"])
        #expect(second.status == 1, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("\(storage)/zitadel-state.json is in use by another quota_exporter (pid \(first.process.pid))"), "\(second.stderr)")
        #expect(!second.stderr.contains("msg=listening"), "it refuses before it listens")
        let check = try await ExporterProcess.run(["--config.file=\(file)", "--storage.path=\(storage)", "--config.check"])
        #expect(check.status == 0, "checking a configuration takes no lock: \(check.stderr)")

        // Once the first is gone, the lock goes with it.
        first.signal(SIGTERM)
        #expect(await first.waitForExit(timeout: 10) == 0)
        let third = try ExporterProcess(["--config.file=\(file)", "--storage.path=\(storage)", "--web.listen-address=127.0.0.1:0"])
        #expect(await third.waitForPort() != nil, "\(third.stderr)")
        third.signal(SIGTERM)
        #expect(await third.waitForExit(timeout: 10) == 0)
    }

    /// The listener used to open before the receiver knew its instances'
    /// secrets, so notifications in the first tens of milliseconds (longer
    /// with a large state file) got 404. A request on the very first
    /// connection the listener accepts must get a real answer.
    @Test func aNotificationPostedAtTheFirstPossibleMomentIsNotA404() async throws {
        let directory = TemporaryDirectory()
        let file = directory.write("config.json", Self.config())
        let storage = directory.path + "/storage"
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
        _ = directory.write("storage/zitadel-state.json", Self.largeState(instances: 3, notificationsEach: 1000))
        let port = try #require(freeLoopbackPort())
        let period = "2026-01-01T00:00:00Z"
        let body = #"{"unit":1,"id":"first","callURL":"x","periodStart":"\#(period)","threshold":50,"usage":500}"#
        let path = "/zitadel/notifications/inst1/\(Self.secret)"

        let child = try ExporterProcess(["--config.file=\(file)", "--storage.path=\(storage)", "--web.listen-address=127.0.0.1:\(port)"])
        let status = await postAsSoonAsListening(port: port, path: path, body: body, timeout: 60)
        #expect(status == 200 || status == 503, "status \(String(describing: status)); stderr: \(child.stderr)")
        child.signal(SIGTERM)
        #expect(await child.waitForExit(timeout: 10) == 0)
    }

    /// A state file of about 300 KB, of instances not in the configuration.
    static func largeState(instances: Int, notificationsEach: Int) -> String {
        var parts: [String] = []
        for instance in 0..<instances {
            let notifications = (0..<notificationsEach).map { index in
                #"{"id":"old-\#(instance)-\#(index)","unit":1,"period_start":1767225600,"threshold":50,"usage":\#(index),"received_at":1767225601.5}"#
            }
            parts.append(#""old\#(instance)":{"notifications":[\#(notifications.joined(separator: ","))]}"#)
        }
        return #"{"version":1,"instances":{\#(parts.joined(separator: ","))}}"# + "\n"
    }
}

/// A port nothing listens on right now (the kernel's next ephemeral one).
func freeLoopbackPort() -> Int? {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
        }
    }
    guard bound else { return nil }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Connects in a tight loop until the port accepts, then sends one POST on
/// that first connection and returns the response's status code. On a
/// thread of its own: it blocks.
func postAsSoonAsListening(port: Int, path: String, body: String, timeout: Double) async -> Int? {
    await withCheckedContinuation { (continuation: CheckedContinuation<Int?, Never>) in
        DispatchQueue.global().async {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                guard descriptor >= 0 else { return continuation.resume(returning: nil) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                address.sin_port = UInt16(port).bigEndian
                let connected = withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                    }
                }
                guard connected else {
                    close(descriptor)
                    continue
                }
                let request = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
                let bytes = Array(request.utf8)
                var sent = 0
                while sent < bytes.count {
                    let count = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if count <= 0 { break }
                    sent += count
                }
                var response: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                    if count <= 0 { break }
                    response += chunk[..<count]
                }
                close(descriptor)
                let statusLine = String(decoding: response.prefix { $0 != 0x0D }, as: UTF8.self)
                let parts = statusLine.split(separator: " ")
                return continuation.resume(returning: parts.count >= 2 ? Int(parts[1]) : nil)
            }
            continuation.resume(returning: nil)
        }
    }
}
