#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where configuration looks up environment variables and reads files.
///
/// Injected so tests can resolve `${NAME}` secrets and `*_file` paths without
/// touching the real process environment or disk.
public struct ConfigEnvironment: Sendable {
    public var variables: [String: String]
    /// Returns a file's bytes or throws; a thrown `FileReadError` contributes
    /// its `reason`, any other error its description.
    public var readFile: @Sendable (String) throws -> [UInt8]

    public init(variables: [String: String], readFile: @escaping @Sendable (String) throws -> [UInt8]) {
        self.variables = variables
        self.readFile = readFile
    }

    /// The real process environment and file system.
    public static var process: ConfigEnvironment {
        ConfigEnvironment(variables: processVariables(), readFile: { path in
            try readFileFromDisk(path)
        })
    }

    /// The process environment read from `environ`; the first of duplicate
    /// names wins, as `getenv` would answer.
    public static func processVariables() -> [String: String] {
        var variables: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                let name = String(text[..<equals])
                if variables[name] == nil {
                    variables[name] = String(text[text.index(after: equals)...])
                }
            }
            cursor += 1
        }
        return variables
    }

    /// For tests: variables and files in memory; any other path fails with
    /// `No such file or directory`.
    public static func inMemory(variables: [String: String] = [:], files: [String: String] = [:]) -> ConfigEnvironment {
        ConfigEnvironment(variables: variables, readFile: { path in
            guard let content = files[path] else { throw FileReadError(path: path, errorNumber: ENOENT) }
            return Array(content.utf8)
        })
    }

    /// Files larger than this are refused, so a path such as `/dev/zero`
    /// given by mistake fails instead of filling memory.
    public static let maxFileSize = 16 << 20

    /// Reads a whole regular file with `open`/`read` so failures carry the
    /// exact `errno` reason rather than a generic Foundation message. A
    /// FIFO or device is refused rather than waited on (`RegularFile`).
    public static func readFileFromDisk(_ path: String) throws(FileReadError) -> [UInt8] {
        let descriptor = try RegularFile.openForReading(path)
        defer { close(descriptor) }
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, errorNumber: errno)
            }
            if count == 0 { return content }
            content.append(contentsOf: chunk[..<count])
            if content.count > maxFileSize {
                throw FileReadError(path: path, reason: "file is larger than \(maxFileSize >> 20) MiB")
            }
        }
    }
}
