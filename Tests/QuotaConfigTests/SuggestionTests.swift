import Testing
@testable import QuotaConfig

@Suite struct SuggestionTests {
    @Test(arguments: [
        ("", "", 0), ("abc", "", 3), ("", "ab", 2), ("kitten", "sitting", 3), ("verison", "version", 1), ("abc", "abc", 0),
    ])
    func editDistance(a: String, b: String, distance: Int) {
        #expect(Suggestion.editDistance(a, b) == distance)
        #expect(Suggestion.editDistance(b, a) == distance)
    }

    @Test func picksTheClosestPlausibleCandidate() {
        #expect(Suggestion.closest(to: "acount_id", among: ["account_id", "api_token"]) == "account_id")
        #expect(Suggestion.closest(to: "lables", among: ["labels", "tables_x"]) == "labels")
        #expect(Suggestion.closest(to: "x", among: ["port"]) == nil)
        #expect(Suggestion.closest(to: "colour", among: ["port"]) == nil)
        #expect(Suggestion.closest(to: "anything", among: [String]()) == nil)
    }
}
