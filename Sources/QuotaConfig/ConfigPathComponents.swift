/// Splits a field path built by `ConfigPath` (`a.b[2]["odd key"]`) back
/// into its members and elements, for `ConfigSourceMap` lookups.
enum ConfigPathComponents {
    enum Component: Equatable {
        case member(String)
        case element(Int)
    }

    /// Nil for text `ConfigPath` would not have produced.
    static func parse(_ path: String) -> [Component]? {
        let bytes = Array(path.utf8)
        var components: [Component] = []
        var index = 0
        var expectsPlain = true  // at the start a member has no leading dot
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "[") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                    // A JSON string: find its closing quote, skipping escapes.
                    let start = index
                    index += 1
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                        index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    guard index < bytes.count, case .string(let key)? = try? JSONParser().parse(Array(bytes[start...index])) else {
                        return nil
                    }
                    components.append(.member(key))
                    index += 1
                } else {
                    let start = index
                    while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
                    guard let number = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else { return nil }
                    components.append(.element(number))
                }
                guard index < bytes.count, bytes[index] == UInt8(ascii: "]") else { return nil }
                index += 1
                expectsPlain = false
                continue
            }
            if !expectsPlain {
                guard byte == UInt8(ascii: ".") else { return nil }
                index += 1
            }
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "."), bytes[index] != UInt8(ascii: "[") { index += 1 }
            // `ConfigPath` writes only these characters unquoted.
            let isPlain = bytes[start..<index].allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
            guard index > start, isPlain else { return nil }
            components.append(.member(String(decoding: bytes[start..<index], as: UTF8.self)))
            expectsPlain = false
        }
        return components
    }
}
