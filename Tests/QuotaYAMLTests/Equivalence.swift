import QuotaConfig

/// Values equal up to number spelling: `1000` and `1e3` are the same
/// number here, as they are for every consumer of the configuration.
func equivalent(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.number(let a), .number(let b)):
        return a == b || (a.doubleValue != nil && a.doubleValue == b.doubleValue)
    case (.array(let a), .array(let b)):
        return a.count == b.count && zip(a, b).allSatisfy { equivalent($0, $1) }
    case (.object(let a), .object(let b)):
        return a.keys == b.keys && zip(a.members, b.members).allSatisfy { equivalent($0.value, $1.value) }
    default:
        return lhs == rhs
    }
}
