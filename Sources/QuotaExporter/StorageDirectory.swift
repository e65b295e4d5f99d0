#if canImport(Glibc)
import Glibc
#endif

/// The `--storage.path` directory, made ready before anything is served.
///
/// Like Prometheus' `--storage.tsdb.path`, a missing directory is created
/// (owner-only, it holds receiver secrets). A path that is a file, or a
/// directory the process cannot write, stops the exporter at start instead
/// of failing the first ZITADEL notification hours later.
enum StorageDirectory {
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    static func prepare(_ path: String) throws(Failure) {
        guard !path.isEmpty else { throw Failure(description: "--storage.path is empty") }
        try createIfMissing(path)
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure("cannot stat", path) }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw Failure(description: "--storage.path \(path) is not a directory")
        }
        guard access(path, W_OK | X_OK) == 0 else { throw failure("cannot write to", path) }
    }

    /// `mkdir -p` with mode 0700 for every directory it creates.
    private static func createIfMissing(_ path: String) throws(Failure) {
        var info = stat()
        if stat(path, &info) == 0 { return }
        guard errno == ENOENT else { throw failure("cannot stat", path) }
        var parent = path
        while parent.count > 1, parent.hasSuffix("/") { parent.removeLast() }
        if let slash = parent.lastIndex(of: "/"), slash != parent.startIndex {
            try createIfMissing(String(parent[..<slash]))
        }
        if mkdir(path, 0o700) != 0, errno != EEXIST { throw failure("cannot create", path) }
    }

    private static func failure(_ action: String, _ path: String) -> Failure {
        let reason = String(cString: strerror(errno))
        return Failure(description: "--storage.path: \(action) \(path): \(reason)")
    }
}
