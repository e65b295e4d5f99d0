#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `stat` says about a file: enough to tell that it was rewritten,
/// replaced (a new inode, as a Kubernetes secret's symlink swap gives) or
/// removed, without reading it. A failed `stat` is part of the value, so
/// a file that comes back is a change too.
public struct FileFingerprint: Sendable, Hashable {
    var device: UInt64 = 0
    var inode: UInt64 = 0
    var size: Int64 = 0
    var modified: Int64 = 0
    var modifiedNanoseconds: Int = 0
    var changed: Int64 = 0
    var changedNanoseconds: Int = 0
    var errorNumber: Int32 = 0

    public static func of(_ path: String) -> FileFingerprint {
        var status = stat()
        guard stat(path, &status) == 0 else { return FileFingerprint(errorNumber: errno) }
        return FileFingerprint(
            device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
            modified: Int64(status.st_mtim.tv_sec), modifiedNanoseconds: Int(status.st_mtim.tv_nsec),
            changed: Int64(status.st_ctim.tv_sec), changedNanoseconds: Int(status.st_ctim.tv_nsec)
        )
    }

    /// One per path, in order.
    public static func of(_ paths: [String]) -> [FileFingerprint] {
        paths.map(of)
    }
}
