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
        let result = try ChildCommand(["python3", "-c", script, file.path]).runBlocking()
        guard result.status == 0 else {
            throw LoopbackError(message: "python3 gunzip: " + result.stderrText)
        }
        return result.stdout
    }
}
