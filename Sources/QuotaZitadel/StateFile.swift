#if canImport(Glibc)
import Glibc
#endif
import QuotaConfig

/// Crash-safe whole-file replacement for the state file.
///
/// `writeAtomically` writes a temporary file next to the target, fsyncs it,
/// renames it over the target and fsyncs the directory. `rename` is atomic,
/// so a crash or `kill -9` at any instant leaves either the old complete
/// file or the new complete file; the directory fsync makes the rename
/// itself survive a power cut before the caller acknowledges anything.
enum StateFile {
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// The temporary file's name; a leftover one is from a crash and is removed at load.
    static func temporaryPath(for path: String) -> String {
        path + ".tmp"
    }

    /// The file's bytes, or nil when it does not exist.
    static func read(_ path: String) throws(Failure) -> [UInt8]? {
        let descriptor: Int32
        do {
            descriptor = try RegularFile.openForReading(path)
        } catch {
            if access(path, F_OK) != 0 && errno == ENOENT { return nil }
            throw Failure(description: "cannot open \(path): \(error.reason)")
        }
        defer { close(descriptor) }
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read \(path)")
            }
            if count == 0 { return content }
            content.append(contentsOf: chunk[..<count])
        }
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(Failure) {
        let temporary = temporaryPath(for: path)
        // 0600: the state holds the receiver secrets.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("cannot create \(temporary)") }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                let error = failure("cannot write \(temporary)")
                close(descriptor)
                unlink(temporary)
                throw error
            }
            written += count
        }
        guard fsync(descriptor) == 0 else {
            let error = failure("cannot fsync \(temporary)")
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let error = failure("cannot rename \(temporary) to \(path)")
            unlink(temporary)
            throw error
        }
        try syncDirectory(of: path)
    }

    /// Renames a file that could not be parsed to `<path>.corrupt-<unix time>`
    /// so that nothing is lost and a fresh state can be started.
    static func moveAside(_ path: String, now: Double) throws(Failure) -> String {
        let destination = "\(path).corrupt-\(Int(now))"
        guard rename(path, destination) == 0 else { throw failure("cannot rename \(path) to \(destination)") }
        try syncDirectory(of: path)
        return destination
    }

    static func removeLeftoverTemporary(for path: String) {
        unlink(temporaryPath(for: path))
    }

    private static func syncDirectory(of path: String) throws(Failure) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let descriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open directory \(directory)") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot fsync directory \(directory)") }
    }

    private static func failure(_ what: String) -> Failure {
        let code = errno
        return Failure(description: "\(what): \(String(cString: strerror(code)))")
    }
}
