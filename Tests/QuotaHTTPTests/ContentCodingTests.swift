import QuotaHTTP
import Testing

@Suite struct ContentCodingTests {
    @Test(arguments: [
        // (Accept-Encoding, expected)
        (nil, ContentCoding.identity),
        ("", .identity),
        ("gzip", .gzip),
        ("GZIP", .gzip),
        ("x-gzip", .gzip),
        ("gzip, deflate, br", .gzip),       // curl --compressed, browsers
        ("deflate, br", .identity),
        ("gzip;q=0", .identity),
        ("gzip; q=0.000", .identity),
        ("gzip;q=0.5", .gzip),              // identity not ranked: gzip is what was asked for
        ("gzip;q=0.5, identity", .identity),
        ("gzip;q=0.5, identity;q=0.5", .gzip),  // a tie: the smaller body
        ("gzip, identity;q=0", .gzip),
        ("identity", .identity),
        ("identity;q=0", .identity),        // nothing acceptable: identity anyway
        ("*", .gzip),
        ("*;q=0", .identity),
        ("*;q=0.2, identity;q=0.1", .gzip),
        ("*;q=1, gzip;q=0", .identity),     // the explicit gzip entry beats the wildcard
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", .gzip),
        ("gzip;q=1.001", .identity),        // malformed: not asking
        ("gzip;q=2", .identity),
        ("gzip;q=", .identity),
        ("gzip;level=9", .identity),
        ("gzip;q=0.5;q=0.6", .identity),
        ("gz ip", .identity),
        ("gzip,,", .gzip),                  // empty list elements are allowed
        (" gzip ; Q=0.7 ", .gzip),
    ] as [(String?, ContentCoding)])
    func negotiation(header: String?, expected: ContentCoding) {
        #expect(ContentCoding.negotiate(acceptEncoding: header, gzipAvailable: true) == expected, "\(header ?? "nil")")
    }

    @Test func withoutZlibAlwaysIdentity() {
        #expect(ContentCoding.negotiate(acceptEncoding: "gzip", gzipAvailable: false) == .identity)
    }

    @Test func parsesQValues() throws {
        let parsed = try #require(AcceptEncoding.parse("gzip;q=0.25, Identity ;q=1, *;q=0"))
        #expect(parsed.entries.map(\.coding) == ["gzip", "identity", "*"])
        #expect(parsed.quality(of: "gzip") == 0.25)
        #expect(parsed.quality(of: "identity") == 1)
        #expect(parsed.quality(of: "*") == 0)
        #expect(parsed.quality(of: "br") == nil)
        #expect(AcceptEncoding.parse("gzip;q=0.1234") == nil, "at most three decimals")
    }

    @Test func zlibIsThere() {
        // libz.so.1 is on every machine the exporter runs on; if this fails
        // the exporter silently answers identity only.
        #expect(Zlib.loadError == nil)
    }
}
