import Foundation
import QuotaConcurrency
import QuotaLogging

/// One `StateStore` per state file path for the process's life, so a
/// reload keeps the loaded state and two entries naming the same file
/// share one writer.
final class StateStoreRegistry: Sendable {
    private let stores = Locked<[String: StateStore]>([:])
    private let logger: Logger
    private let clock: @Sendable () -> Double

    init(logger: Logger, clock: @escaping @Sendable () -> Double) {
        self.logger = logger
        self.clock = clock
    }

    func store(for path: String) -> StateStore {
        stores.withLock { stores in
            if let existing = stores[path] { return existing }
            let store = StateStore(path: path, logger: logger, clock: clock)
            stores[path] = store
            return store
        }
    }
}
