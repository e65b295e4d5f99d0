import QuotaCollection
import QuotaConcurrency
import QuotaConfig
import QuotaCrypto

/// Notes which files a configuration entry read and a digest of each, so
/// the entry's `TargetDefinition` changes when a secret file's content
/// does. Only digests are kept: the files hold credentials.
final class FileReadRecorder: Sendable {
    private let reads = Locked<[String: [UInt8]]>([:])

    /// `environment`, with every successful file read recorded here.
    func recording(_ environment: ConfigEnvironment) -> ConfigEnvironment {
        ConfigEnvironment(variables: environment.variables, readFile: { [self] path in
            let bytes = try environment.readFile(path)
            let digest = SHA256.hash(bytes)
            reads.withLock { $0[path] = digest }
            return bytes
        })
    }

    /// The reads since the last call, sorted by path, and forgets them.
    func take() -> [(path: String, digest: [UInt8])] {
        reads.withLock { reads in
            defer { reads = [:] }
            return reads.map { (path: $0.key, digest: $0.value) }.sorted { $0.path < $1.path }
        }
    }

    /// The definition of targets built by `provider` from `source` (an
    /// entry's JSON, or "environment") and the files read meanwhile.
    static func definition(provider: String, source: String, files: [(path: String, digest: [UInt8])]) -> TargetDefinition {
        var hash = SHA256()
        hash.update(Array(provider.utf8) + [0] + Array(source.utf8) + [0])
        for file in files {
            hash.update(Array(file.path.utf8) + [0] + file.digest)
        }
        return TargetDefinition(digest: hash.finalize())
    }
}
