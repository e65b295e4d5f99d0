/// A digest of what a target was built from: its provider, its
/// configuration entry and the content of every file the entry read. A
/// token file rotated without touching the configuration changes it too.
///
/// A reload compares definitions so that it refreshes only what changed:
/// an unchanged target keeps its last attempt (no upstream call before its
/// `min_interval`) and its provider's background work (ZITADEL's
/// provisioning loop). Without this, every `POST /-/reload` re-collected
/// every target at once and restarted every loop, so reloads amplified
/// into upstream calls. A digest rather than the text, because the files
/// hold secrets.
public struct TargetDefinition: Sendable, Hashable, CustomStringConvertible {
    public let digest: [UInt8]

    public init(digest: [UInt8]) {
        self.digest = digest
    }

    /// Never the material itself: a short prefix of the digest.
    public var description: String {
        "definition " + digest.prefix(6).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}

extension Target {
    /// Whether `other` was built from the same definition, with the same
    /// labels and settings. A target without a definition (built outside
    /// the configuration loader) is never taken as unchanged.
    public func isUnchanged(from other: Target) -> Bool {
        guard let definition, definition == other.definition else { return false }
        return identity == other.identity && labels == other.labels && settings == other.settings
    }
}
