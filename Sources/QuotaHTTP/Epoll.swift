#if canImport(Glibc)
import Glibc
#endif

/// A thin, level-triggered wrapper around one epoll instance. Each watched
/// descriptor is registered with its own fd as the event's data, so the loop
/// maps a ready event straight back to its listener or connection.
struct Epoll: Sendable {
    /// One ready descriptor and what it is ready for.
    struct Event {
        let fd: Int32
        let flags: UInt32

        var isReadable: Bool { flags & LinuxAPI.epollIn != 0 }
        var isWritable: Bool { flags & LinuxAPI.epollOut != 0 }
        /// Error or full hang-up: the peer is gone in both directions.
        var isBroken: Bool { flags & (LinuxAPI.epollErr | LinuxAPI.epollHup) != 0 }
    }

    // `struct epoll_event` is packed on x86_64 (12 bytes) and naturally
    // aligned elsewhere (16 bytes); the data union follows the flags.
    #if arch(x86_64) || arch(i386)
    static let eventStride = 12
    static let dataOffset = 4
    #else
    static let eventStride = 16
    static let dataOffset = 8
    #endif

    let fd: Int32

    init() throws(SocketError) {
        fd = try Syscall.call("epoll_create1") { LinuxAPI.epollCreate1(O_CLOEXEC) }
    }

    func add(_ watched: Int32, interest: UInt32) throws(SocketError) {
        try control(LinuxAPI.epollCtlAdd, watched, interest, name: "epoll_ctl(ADD)")
    }

    func modify(_ watched: Int32, interest: UInt32) throws(SocketError) {
        try control(LinuxAPI.epollCtlMod, watched, interest, name: "epoll_ctl(MOD)")
    }

    func remove(_ watched: Int32) throws(SocketError) {
        try control(LinuxAPI.epollCtlDel, watched, 0, name: "epoll_ctl(DEL)")
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and decodes the ready
    /// events from `buffer`, which must hold a whole number of events.
    func wait(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int32) throws(SocketError) -> [Event] {
        let capacity = Int32(buffer.count / Self.eventStride)
        let count = try Syscall.call("epoll_wait") {
            LinuxAPI.epollWait(fd, buffer.baseAddress, capacity, timeoutMilliseconds)
        }
        return (0..<Int(count)).map { index in
            let base = index * Self.eventStride
            let flags = buffer.loadUnaligned(fromByteOffset: base, as: UInt32.self)
            let data = buffer.loadUnaligned(fromByteOffset: base + Self.dataOffset, as: UInt64.self)
            return Event(fd: Int32(truncatingIfNeeded: data), flags: flags)
        }
    }

    func close() {
        _ = Glibc.close(fd)
    }

    private func control(_ operation: Int32, _ watched: Int32, _ interest: UInt32, name: String) throws(SocketError) {
        var event = [UInt8](repeating: 0, count: Self.eventStride)
        event.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: interest, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: UInt64(UInt32(bitPattern: watched)), toByteOffset: Self.dataOffset, as: UInt64.self)
        }
        try Syscall.call(name) {
            event.withUnsafeMutableBytes { LinuxAPI.epollCtl(fd, operation, watched, $0.baseAddress) }
        }
    }
}
