import QuotaConfig

/// The YAML 1.2 core schema's reading of a plain (unquoted) scalar.
///
/// `null`, `Null`, `NULL`, `~` and the empty value are null; `true`/`True`/
/// `TRUE` and the same for false are booleans; `[-+]?[0-9]+`, `0o[0-7]+`
/// and `0x[0-9a-fA-F]+` are integers; `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)
/// ([eE][-+]?[0-9]+)?` are floats. Everything else, `yes`, `on`, `1_000`,
/// `-0x10` and dates included, is a string: no YAML 1.1 surprises.
///
/// Numbers become `JSONNumber`s in canonical JSON form (`+012` → `12`,
/// `0x10` → `16`, `.5` → `0.5`), so the field types read them as they read
/// JSON. `.inf` and `.nan` are refused: JSON has no such number and no
/// setting needs one.
enum YAMLScalar {
    enum Failure: Error {
        case notFinite
        case tooLarge
    }

    static func resolve(_ text: [UInt8]) throws(Failure) -> JSONValue {
        switch text.count {
        case 0: return .null
        case 1 where text[0] == UInt8(ascii: "~"): return .null
        default: break
        }
        let word = String(decoding: text, as: UTF8.self)
        switch word {
        case "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN":
            throw .notFinite
        default: break
        }
        if let literal = try radixInteger(text) ?? decimal(text), let number = JSONNumber(literal: literal) {
            return .number(number)
        }
        return .string(word)
    }

    /// `0o17` and `0x1F` as decimal text; they must fit in 64 bits.
    private static func radixInteger(_ text: [UInt8]) throws(Failure) -> String? {
        guard text.count > 2, text[0] == UInt8(ascii: "0") else { return nil }
        let radix: UInt64
        switch text[1] {
        case UInt8(ascii: "o"): radix = 8
        case UInt8(ascii: "x"): radix = 16
        default: return nil
        }
        var value: UInt64 = 0
        for byte in text[2...] {
            guard let digit = digitValue(byte), UInt64(digit) < radix else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: radix)
            let (sum, carry) = shifted.addingReportingOverflow(UInt64(digit))
            guard !overflow, !carry else {
                // Still a number by the schema: say so rather than make it a string.
                if text[2...].allSatisfy({ (digitValue($0) ?? 99) < Int(radix) }) { throw .tooLarge }
                return nil
            }
            value = sum
        }
        return String(value)
    }

    /// Decimal integers and floats as canonical JSON number text.
    private static func decimal(_ text: [UInt8]) -> String? {
        var index = 0
        var negative = false
        if text[0] == UInt8(ascii: "-") || text[0] == UInt8(ascii: "+") {
            negative = text[0] == UInt8(ascii: "-")
            index = 1
        }
        let integerStart = index
        while index < text.count, isDigit(text[index]) { index += 1 }
        var integer = Array(text[integerStart..<index])
        var fraction: [UInt8]? = nil
        if index < text.count, text[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < text.count, isDigit(text[index]) { index += 1 }
            fraction = Array(text[fractionStart..<index])
            // `.` alone and `.e5` are not numbers; `1.` and `.5` are.
            guard !integer.isEmpty || !(fraction ?? []).isEmpty else { return nil }
        } else if integer.isEmpty {
            return nil
        }
        var exponent: [UInt8]? = nil
        if index < text.count, text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E") {
            guard !integer.isEmpty || !(fraction ?? []).isEmpty else { return nil }
            index += 1
            var digits: [UInt8] = []
            if index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
                if text[index] == UInt8(ascii: "-") { digits.append(UInt8(ascii: "-")) }
                index += 1
            }
            let exponentStart = index
            while index < text.count, isDigit(text[index]) { index += 1 }
            guard index > exponentStart else { return nil }
            digits += text[exponentStart..<index]
            exponent = digits
        }
        guard index == text.count else { return nil }
        if let first = integer.firstIndex(where: { $0 != UInt8(ascii: "0") }) {
            integer = Array(integer[first...])
        } else {
            integer = [UInt8(ascii: "0")]
        }
        var literal = integer
        if let fraction {
            literal.append(UInt8(ascii: "."))
            literal += fraction.isEmpty ? [UInt8(ascii: "0")] : fraction
        }
        if let exponent {
            // A float in YAML; keep it one in JSON (`1e3` has no dot but is not an integer literal).
            literal.append(UInt8(ascii: "e"))
            literal += exponent
        }
        let isZero = literal.allSatisfy { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }
        if negative && !(isZero && fraction == nil && exponent == nil) { literal.insert(UInt8(ascii: "-"), at: 0) }
        return String(decoding: literal, as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
