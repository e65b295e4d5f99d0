@testable import QuotaHTTP
import Testing

@Suite struct HTTPRequestTests {
    /// The target is split at its first `?`, found by byte: non-ASCII
    /// before or after it, a combining mark right before or after it (a
    /// search by Character missed `?` followed by one), an empty query and
    /// a second `?` all come out as sent.
    @Test(arguments: [
        ("/metrics", "/metrics", nil),
        ("/metrics?", "/metrics", ""),
        ("/metrics?name[]=up&x=?y", "/metrics", "name[]=up&x=?y"),
        ("/caf\u{e9}?q=\u{e9}", "/caf\u{e9}", "q=\u{e9}"),
        ("/e\u{301}?a", "/e\u{301}", "a"),
        // One Character with the mark after it, but the delimiter is the byte.
        ("/x?\u{301}", "/x", "\u{301}"),
        ("?only", "", "only"),
        ("*", "*", nil),
    ] as [(String, String, String?)])
    func pathAndQueryAreSplitAtTheFirstQuestionMark(target: String, path: String, query: String?) {
        let request = HTTPRequest(method: "GET", target: target)
        #expect(Array(request.path.utf8) == Array(path.utf8))
        #expect(request.query.map { Array($0.utf8) } == query.map { Array($0.utf8) })
    }
}
