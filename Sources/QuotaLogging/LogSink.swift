#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaConcurrency

/// Where finished log lines go. One `write` is one whole line, so lines from
/// several threads never interleave.
public protocol LogSink: Sendable {
    func write(_ line: String)
}

/// Writes each line to standard error with a single `write(2)`.
public struct StandardErrorSink: LogSink {
    public init() {}

    public func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }
}

/// Keeps lines in memory; tests read them back to assert on what was logged
/// (and on what was not: secrets).
public final class MemoryLogSink: LogSink, Sendable {
    private let stored = Locked<[String]>([])

    public init() {}

    public func write(_ line: String) {
        stored.withLock { $0.append(line) }
    }

    public var lines: [String] {
        stored.current
    }
}
