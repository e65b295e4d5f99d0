import FuzzSupport
@testable import QuotaHTTP

/// The `Accept-Encoding` header of a scrape: every entry parses to a
/// lowercase token with a quality in 0...1 or the whole header is
/// malformed, and negotiation picks gzip exactly when the rule says so.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let header = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let coding = ContentCoding.negotiate(acceptEncoding: header, gzipAvailable: true)
    guard let parsed = AcceptEncoding.parse(header) else {
        fuzzCheck(coding == .identity, "malformed \(header.debugDescription) must give identity")
        return 0
    }
    for entry in parsed.entries {
        fuzzCheck((0...1).contains(entry.quality), "quality \(entry.quality) in \(header.debugDescription)")
        fuzzCheck(HTTPSyntax.isToken(entry.coding.utf8), "coding \(entry.coding.debugDescription) is a token")
        fuzzCheck(entry.coding == entry.coding.lowercased(), "coding \(entry.coding.debugDescription) is lowercase")
    }
    let gzip = parsed.quality(of: "gzip") ?? parsed.quality(of: "x-gzip") ?? parsed.quality(of: "*") ?? 0
    let identity = parsed.quality(of: "identity") ?? parsed.quality(of: "*")
    let expected: ContentCoding = gzip > 0 && (identity.map { gzip >= $0 } ?? true) ? .gzip : .identity
    fuzzCheck(coding == expected, "\(header.debugDescription) gave \(coding)")
    fuzzCheck(ContentCoding.negotiate(acceptEncoding: header, gzipAvailable: false) == .identity, "no zlib, no gzip")
    return 0
}
