#if canImport(Glibc)
import Glibc
#endif
import QuotaConcurrency
import QuotaLogging

/// One `StateStore` per state file for the process's life, so a reload
/// keeps the loaded state and two entries naming the same file share one
/// writer. Files are keyed by their canonical path: `dir/state.json`,
/// `dir/./state.json` and a symlinked directory are one file, and two
/// stores for one file would overwrite each other's notifications.
final class StateStoreRegistry: Sendable {
    private let stores = Locked<[String: StateStore]>([:])
    private let logger: Logger
    private let clock: @Sendable () -> Double

    init(logger: Logger, clock: @escaping @Sendable () -> Double) {
        self.logger = logger
        self.clock = clock
    }

    func store(for path: String) -> StateStore {
        let canonical = Self.canonicalPath(path)
        return stores.withLock { stores in
            if let existing = stores[canonical] { return existing }
            let store = StateStore(path: canonical, logger: logger, clock: clock, exclusive: true)
            stores[canonical] = store
            return store
        }
    }

    var all: [StateStore] {
        stores.withLock { Array($0.values) }
    }

    /// The file's real path; for a file that does not exist yet, the real
    /// path of its directory plus its name. A directory that does not
    /// exist either leaves the path as given (loading it fails anyway).
    static func canonicalPath(_ path: String) -> String {
        if let resolved = realPath(path) { return resolved }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty, name != ".", name != "..", let resolvedDirectory = realPath(directory) else { return path }
        return (resolvedDirectory == "/" ? "" : resolvedDirectory) + "/" + name
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
