/// The Prometheus naming rules, checked on bytes because they are pure ASCII
/// and this runs for every label of every sample.
enum NameRules {
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    static func isValidMetricName(_ name: String) -> Bool {
        isValid(name, allowsColon: true)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`; says nothing about the reserved `__` prefix.
    static func isValidLabelName(_ name: String) -> Bool {
        isValid(name, allowsColon: false)
    }

    /// Label names starting with `__` are Prometheus-internal (`__name__`,
    /// relabelling temporaries) and are dropped or rejected on ingestion.
    static func isReservedLabelName(_ name: String) -> Bool {
        name.withUTF8Bytes { $0.count >= 2 && $0[0] == UInt8(ascii: "_") && $0[1] == UInt8(ascii: "_") }
    }

    private static func isValid(_ name: String, allowsColon: Bool) -> Bool {
        name.withUTF8Bytes { isValid($0, allowsColon: allowsColon) }
    }

    private static func isValid(_ name: UnsafeBufferPointer<UInt8>, allowsColon: Bool) -> Bool {
        var isFirst = true
        for byte in name {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "_"):
                break
            case UInt8(ascii: "0")...UInt8(ascii: "9") where !isFirst:
                break
            case UInt8(ascii: ":") where allowsColon:
                break
            default:
                return false
            }
            isFirst = false
        }
        return !isFirst
    }
}
