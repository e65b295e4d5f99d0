/// One entry of an HTTP `Accept` header, e.g.
/// `application/openmetrics-text;version=1.0.0;q=0.5`.
///
/// Only as much of RFC 9110 as content negotiation for a scrape needs: type,
/// subtype, parameters (quoted values unquoted) and the q-value. Anything
/// that does not parse makes the whole header malformed, so negotiation falls
/// back to the text format instead of guessing.
struct MediaRange: Sendable, Hashable {
    /// Lowercased, `*` for a wildcard.
    var type: String
    /// Lowercased, `*` for a wildcard.
    var subtype: String
    /// Parameter names lowercased, values as sent (unquoted); excludes `q`.
    var parameters: [String: String]
    /// 0...1; 0 means "not acceptable". Defaults to 1.
    var quality: Double

    /// Versions of OpenMetrics this writer's output is valid for.
    static let openMetricsVersions: Set<String> = ["1.0.0", "0.0.1"]
    /// Versions of the Prometheus text format this writer's output is valid
    /// for: 1.0.0 only widened the allowed names, and we emit legacy names.
    static let textVersions: Set<String> = ["0.0.4", "1.0.0"]

    var isAcceptableOpenMetrics: Bool {
        type == "application" && subtype == "openmetrics-text" && hasVersion(in: Self.openMetricsVersions)
    }

    var isAcceptableText: Bool {
        type == "text" && subtype == "plain" && hasVersion(in: Self.textVersions)
    }

    /// A missing `version` means "whatever version you have", which is fine.
    private func hasVersion(in accepted: Set<String>) -> Bool {
        guard let version = parameters["version"] else { return true }
        return accepted.contains(version)
    }

    /// Parses a whole `Accept` header; nil when any entry is malformed.
    /// Empty entries (`a/b,,c/d`) are allowed by the RFC and skipped.
    static func parseList(_ header: String) -> [MediaRange]? {
        var ranges: [MediaRange] = []
        for element in split(Substring(header), on: ",") {
            let trimmed = trim(element)
            if trimmed.isEmpty { continue }
            guard let range = MediaRange(parsing: trimmed) else { return nil }
            ranges.append(range)
        }
        return ranges
    }

    /// Parses one entry; nil when it is malformed.
    init?(parsing element: Substring) {
        let parts = Self.split(element, on: ";")
        let mediaType = Self.trim(parts[0])
        let typeAndSubtype = mediaType.split(separator: "/", omittingEmptySubsequences: false)
        guard typeAndSubtype.count == 2,
              Self.isToken(typeAndSubtype[0]), Self.isToken(typeAndSubtype[1])
        else { return nil }
        type = typeAndSubtype[0].lowercased()
        subtype = typeAndSubtype[1].lowercased()
        if type == "*" && subtype != "*" { return nil }

        parameters = [:]
        quality = 1
        for rawParameter in parts.dropFirst() {
            let parameter = Self.trim(rawParameter)
            guard let equals = parameter.firstIndex(of: "=") else { return nil }
            let name = Self.trim(parameter[..<equals])
            guard Self.isToken(name) else { return nil }
            guard let value = Self.unquote(Self.trim(parameter[parameter.index(after: equals)...])) else {
                return nil
            }
            if name.lowercased() == "q" {
                guard let q = Self.parseQuality(value) else { return nil }
                quality = q
            } else {
                parameters[name.lowercased()] = value
            }
        }
    }

    /// RFC 9110 qvalue: `0[.ddd]` or `1[.000]`. Stricter than `Double(_:)`,
    /// which would also take `nan`, `inf` and hex floats.
    private static func parseQuality(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else {
            return nil
        }
        if bytes.count == 1 { return Double(first - UInt8(ascii: "0")) }
        let fraction = bytes.dropFirst(2)
        guard bytes[1] == UInt8(ascii: "."), fraction.count <= 3,
              fraction.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        guard let value = Double(text), value <= 1 else { return nil }
        return value
    }

    /// Splits on `separator` except inside double quotes, so a quoted
    /// parameter value may contain `,` or `;`.
    private static func split(_ text: Substring, on separator: Character) -> [Substring] {
        var pieces: [Substring] = []
        var start = text.startIndex
        var inQuotes = false
        var escaped = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if escaped {
                escaped = false
            } else if inQuotes && character == "\\" {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if character == separator && !inQuotes {
                pieces.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        pieces.append(text[start...])
        return pieces
    }

    /// Strips a quoted-string's quotes and backslash escapes; nil when a
    /// quote is unbalanced.
    private static func unquote(_ value: Substring) -> String? {
        guard value.first == "\"" else {
            return value.contains("\"") ? nil : String(value)
        }
        guard value.count >= 2, value.last == "\"" else { return nil }
        var result = ""
        var escaped = false
        for character in value.dropFirst().dropLast() {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                return nil
            } else {
                result.append(character)
            }
        }
        return escaped ? nil : result
    }

    private static func trim(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) })
        else { return text[text.endIndex...] }
        return text[first...last]
    }

    /// RFC 9110 token characters; `*` is among them, which covers wildcards.
    private static func isToken(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
