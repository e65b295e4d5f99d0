import Testing
@testable import QuotaConfig

/// Field paths split back into their parts, and errors with and without a location.
@Suite struct ConfigSourceMapTests {
    @Test func pathsSplitBackIntoWhatBuiltThem() {
        let odd = ConfigPath.member("a.b \"c\"", of: ConfigPath.element(2, of: "targets"))
        let path = ConfigPath.member("labels", of: odd)
        #expect(ConfigPathComponents.parse(path) == [.member("targets"), .element(2), .member("a.b \"c\""), .member("labels")])
        #expect(ConfigPathComponents.parse("") == [])
        #expect(ConfigPathComponents.parse("[3]") == [.element(3)])
        for broken in ["a..b", "a[", "a[x]", "a[\"x]", ".a", "a]"] {
            #expect(ConfigPathComponents.parse(broken) == nil, "\(broken)")
        }
    }

    @Test func lookupsFollowThePath() {
        let bytes = Array("abc\ndéf\n".utf8)
        let leaf = ConfigSourceNode(offset: 6, plainNumberText: "007")
        let root = ConfigSourceNode(offset: 0, members: ["list": ConfigSourceNode(offset: 4, elements: [leaf])])
        let map = ConfigSourceMap(bytes: bytes, root: root)
        #expect(map.location(of: "list[0]") == ConfigSourceLocation(line: 2, column: 3), "columns count scalars, not bytes")
        #expect(map.location(of: "list[5]") == ConfigSourceLocation(line: 2, column: 1))
        #expect(map.plainNumberText(at: "list[0]") == "007")
        #expect(map.plainNumberText(at: "list") == nil)
        #expect(map.location(of: "") == nil)
    }

    @Test func locationShowsInTheDescription() {
        let location = ConfigSourceLocation(line: 3, column: 7)
        #expect(ConfigError(path: "a.b", message: "bad").description == "a.b: bad")
        #expect(ConfigError(path: "a.b", message: "bad", location: location).description == "a.b (line 3, column 7): bad")
        #expect(ConfigError(path: "", message: "bad", location: location).description == "line 3, column 7: bad")
    }
}
