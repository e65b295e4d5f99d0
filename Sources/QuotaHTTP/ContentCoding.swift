/// How a response body is encoded on the wire.
public enum ContentCoding: Sendable, Hashable {
    case identity
    case gzip

    /// The `Content-Encoding` value; nil for identity, which is sent without one.
    public var headerValue: String? {
        self == .gzip ? "gzip" : nil
    }

    /// Picks the coding for a response from the request's `Accept-Encoding`.
    ///
    /// - No header, an empty or malformed one: identity ("identity when not
    ///   asked"; a malformed header is read as not asking).
    /// - gzip's q-value is that of `gzip` (or the old alias `x-gzip`), else
    ///   that of `*`, else 0; identity's that of `identity`, else of `*`.
    /// - gzip is chosen when its q is above 0 and at least identity's; an
    ///   identity the client did not rank loses to any gzip q above 0, since
    ///   a client that names only `gzip;q=0.5` still wants gzip.
    /// - When nothing is acceptable (`identity;q=0` with no gzip, `*;q=0`)
    ///   the answer is identity anyway: answering something beats a 406.
    /// - `available` false (zlib could not be loaded) always gives identity.
    public static func negotiate(acceptEncoding header: String?, gzipAvailable available: Bool = Zlib.isAvailable) -> ContentCoding {
        guard available, let header, let accepted = AcceptEncoding.parse(header) else { return .identity }
        let wildcard = accepted.quality(of: "*")
        let gzip = accepted.quality(of: "gzip") ?? accepted.quality(of: "x-gzip") ?? wildcard ?? 0
        let identity = accepted.quality(of: "identity") ?? wildcard
        guard gzip > 0 else { return .identity }
        if let identity, identity > gzip { return .identity }
        return .gzip
    }
}
