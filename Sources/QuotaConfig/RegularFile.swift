#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens files that must be regular files: the configuration, `*_file`
/// secrets, ZITADEL's state file.
///
/// A plain `open` of a FIFO blocks until a writer appears, so a FIFO given
/// as the config file or a secret file stopped start-up forever (and a
/// character device such as `/dev/zero` never ends). The open is therefore
/// non-blocking, and anything but a regular file is refused with what it is.
public enum RegularFile {
    /// A read-only descriptor for `path`, or the reason it cannot be used.
    /// The caller closes it.
    public static func openForReading(_ path: String) throws(FileReadError) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else { throw FileReadError(path: path, errorNumber: errno) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw FileReadError(path: path, errorNumber: code)
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG else {
            close(descriptor)
            throw FileReadError(path: path, reason: "not a regular file (\(describe(kind))); only regular files are read")
        }
        // Regular files ignore O_NONBLOCK, but clear it so reads are plain ones.
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        return descriptor
    }

    private static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFIFO: "a FIFO"
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }
}
