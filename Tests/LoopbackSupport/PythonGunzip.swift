import Foundation

/// Decompresses a gzip body with Python's `zlib` and `gzip` (an
/// independent implementation), off the cooperative pool. Fails unless the
/// bytes are exactly one complete gzip member, as Prometheus and curl
/// expect, and both decoders agree.
public func pythonGunzip(_ bytes: [UInt8]) async throws -> [UInt8] {
    try await offPool {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gunzip-\(UUID().uuidString).gz")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
        import gzip, sys, zlib
        data = open(sys.argv[1], "rb").read()
        d = zlib.decompressobj(31)
        out = d.decompress(data)
        if not d.eof: sys.exit("incomplete gzip member")
        if d.unused_data: sys.exit("bytes after the first gzip member")
        if gzip.decompress(data) != out: sys.exit("gzip and zlib disagree")
        sys.stdout.buffer.write(out)
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, file.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LoopbackError(message: "python3 gunzip: " + String(decoding: message, as: UTF8.self))
        }
        return [UInt8](data)
    }
}
