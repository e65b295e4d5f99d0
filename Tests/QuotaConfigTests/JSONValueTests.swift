import Testing
@testable import QuotaConfig

@Suite struct JSONValueTests {
    let response: JSONValue = [
        "success": true,
        "result": [["id": "abc", "quota": 1.5, "used": 42]],
        "errors": [],
        "note": .null,
    ]

    @Test func lenientLookups() {
        #expect(response["success"]?.boolValue == true)
        #expect(response["result"]?[0]?["id"]?.stringValue == "abc")
        #expect(response["result"]?[0]?["quota"]?.doubleValue == 1.5)
        #expect(response["result"]?[0]?["used"]?.intValue == 42)
        #expect(response["result"]?[0]?["used"]?.int64Value == 42)
        #expect(response["result"]?[0]?["used"]?.uint64Value == 42)
        #expect(response["errors"]?.arrayValue?.isEmpty == true)
        #expect(response["note"]?.isNull == true)
        #expect(response.objectValue?.count == 4)
    }

    @Test func lookupsOfTheWrongShapeAreNil() {
        #expect(response["missing"] == nil)
        #expect(response["result"]?[5] == nil)
        #expect(response["result"]?[-1] == nil)
        #expect(response["success"]?["x"] == nil)
        #expect(response["success"]?.stringValue == nil)
        #expect(response["result"]?[0]?["quota"]?.intValue == nil)
        #expect(response[0] == nil)
        #expect(response.isNull == false)
    }

    @Test func negativeNumbersHaveNoUnsignedValue() throws {
        #expect(try JSONValue.parse("-1").uint64Value == nil)
        #expect(try JSONValue.parse("-1").int64Value == -1)
    }

    @Test func typeDescriptions() {
        let values: [JSONValue] = [.null, true, 1, "s", [], [:]]
        #expect(values.map(\.typeDescription) == ["null", "a boolean", "a number", "a string", "an array", "an object"])
    }

    @Test func serializesCompactlyInKeyOrder() {
        let body: JSONValue = ["name": "quota", "limits": [1, 2.5, -3], "on": false, "none": .null, "nested": ["z": [:], "a": []]]
        #expect(body.serialized() == #"{"name":"quota","limits":[1,2.5,-3],"on":false,"none":null,"nested":{"z":{},"a":[]}}"#)
    }

    @Test func serializationEscapesWhatJSONRequires() {
        let text: JSONValue = "quote\" backslash\\ newline\n tab\t bell\u{07} nul\u{0} é 😀 slash/"
        #expect(text.serialized() == #""quote\" backslash\\ newline\n tab\t bell\u0007 nul\u0000 é 😀 slash/""#)
    }

    @Test(arguments: [
        #"{"a":[1,2,{"b":null}],"c":"\u0001\"x"}"#,
        #"[18446744073709551616,1e400,-0.0]"#,
        #""\ud83d\ude00""#,
    ])
    func serializedOutputParsesBackToTheSameValue(text: String) throws {
        let value = try JSONValue.parse(text)
        #expect(try JSONValue.parse(value.serialized()) == value)
    }

    @Test func numbersFromSwiftValues() {
        #expect(JSONNumber(Int64.min).literal == "-9223372036854775808")
        #expect(JSONNumber(UInt64.max).literal == "18446744073709551615")
        #expect(JSONNumber(0.1)?.literal == "0.1")
        #expect(JSONNumber(1e-7).flatMap { JSONNumber(literal: $0.literal) } != nil)
        #expect(JSONNumber(Double.nan) == nil)
        #expect(JSONNumber(Double.infinity) == nil)
    }

    @Test(arguments: ["01", "+1", ".5", "1.", " 1", "NaN", "1 ", "", "0x10"])
    func invalidNumberLiteralsAreRejected(literal: String) {
        #expect(JSONNumber(literal: literal) == nil)
    }

    @Test func numberEqualityIsByLiteral() {
        #expect(JSONNumber(literal: "1") != JSONNumber(literal: "1.0"))
        #expect(JSONNumber(literal: "1")?.doubleValue == JSONNumber(literal: "1.0")?.doubleValue)
    }

    @Test func objectSubscriptSetsReplacesAndRemoves() {
        var object: JSONObject = ["a": 1, "b": 2]
        object["a"] = "one"
        object["c"] = 3
        object["b"] = nil
        object["missing"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object["a"] == "one")
        #expect(JSONValue.object(object).serialized() == #"{"a":"one","c":3}"#)
    }

    @Test func objectEqualityRespectsOrder() {
        let ab: JSONObject = ["a": 1, "b": 2]
        let ba: JSONObject = ["b": 2, "a": 1]
        #expect(ab != ba)
        #expect(ab == JSONObject([(key: "a", value: 1), (key: "b", value: 2)]))
        #expect(Set([JSONValue.object(ab), .object(ab), .object(ba)]).count == 2)
    }
}
