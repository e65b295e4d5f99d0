import FuzzSupport
@testable import QuotaConfig

/// The one JSON parser behind the configuration, every provider answer and
/// every ZITADEL notification. A document it accepts must survive
/// `serialized()` and a second parse unchanged (request bodies and the
/// ZITADEL state file are written that way and read back), and every number
/// accessor must answer without trapping (issue 10 item 1).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let value: JSONValue
    do {
        value = try JSONValue.parse(bytes)
    } catch {
        _ = error.description
        return 0
    }
    let text = value.serialized()
    do {
        let again = try JSONValue.parse(text)
        fuzzCheck(again == value, "serialized form \(text.prefix(200).debugDescription) parses to a different value")
    } catch {
        fuzzCheck(false, "serialized form \(text.prefix(200).debugDescription) does not parse: \(error)")
    }
    visit(value)
    return 0
}

private func visit(_ value: JSONValue) {
    _ = value.typeDescription
    switch value {
    case .null, .bool, .string:
        break
    case .number(let number):
        let double = number.doubleValue
        if let exact = number.int64Value {
            fuzzCheck(double != nil, "\(number) is an Int64 but has no Double")
            fuzzCheck(number.intValue == Int(exact), "\(number): intValue and int64Value differ")
        }
        if number.uint64Value != nil {
            fuzzCheck(double != nil, "\(number) is a UInt64 but has no Double")
        }
        if let double {
            fuzzCheck(double.isFinite, "\(number) gives a non-finite Double")
            _ = JSONNumber(double)
        }
        fuzzCheck(JSONNumber(literal: number.literal) == number, "\(number) is not a valid literal on its own")
    case .array(let elements):
        elements.forEach(visit)
        _ = value[0]
    case .object(let object):
        for (key, member) in object {
            fuzzCheck(value[key] == member, "member \(key.debugDescription) not found by its own key")
            visit(member)
        }
    }
}
