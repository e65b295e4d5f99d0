#if canImport(Glibc)
import Glibc
#endif
import QuotaConcurrency

/// A small /proc file opened once and read again from offset 0 with one
/// `pread` whenever asked: the kernel builds its text afresh at each read.
/// Opening it, reading to EOF and closing it at every scrape was four
/// syscalls, the path walk into /proc the dearest of them, for a file
/// whose content fits one read.
final class ProcFile: @unchecked Sendable {
    private let path: String
    private let lock = Lock()
    private var fd: Int32 = -1
    private let buffer: UnsafeMutableRawBufferPointer

    init(path: String, capacity: Int = 4096) {
        self.path = path
        self.buffer = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit {
        if fd >= 0 { close(fd) }
        buffer.deallocate()
    }

    /// The file's bytes, or nil when it can't be opened or read, or fills
    /// the whole buffer (then it may be longer: read it the long way).
    func read() -> [UInt8]? {
        lock.withLock {
            if fd < 0 {
                fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { return nil }
            }
            var count: Int
            repeat {
                count = pread(fd, buffer.baseAddress, buffer.count, 0)
            } while count < 0 && errno == EINTR
            guard count > 0, count < buffer.count else { return nil }
            return Array(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }
}
