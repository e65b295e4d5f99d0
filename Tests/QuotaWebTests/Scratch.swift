import Foundation

/// A scratch directory removed when the test ends.
final class Scratch: @unchecked Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "quota-web-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes through a temporary file and a rename, as editors and
    /// Kubernetes do, so each write is a new inode whatever the clock's grain.
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        let temporary = file + ".tmp"
        _ = FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8))
        rename(temporary, file)
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
