/// A JSON object's members in document order.
///
/// Order matters for people: error messages, the "allowed keys" list and
/// serialized request bodies follow the order the author wrote. Keys are
/// unique: the parser rejects duplicates and the initializers trap on them.
///
/// Two objects are equal when they have the same members in the same order.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var members: [(key: String, value: JSONValue)]

    /// - Precondition: no key appears twice.
    public init(_ members: [(key: String, value: JSONValue)] = []) {
        precondition(Set(members.map(\.key)).count == members.count, "JSONObject keys must be unique")
        self.members = members
    }

    /// For the parser, which has already rejected duplicate keys.
    init(uniqueMembers members: [(key: String, value: JSONValue)]) {
        self.members = members
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }

    /// Reads a member, or replaces it in place, appends it, or removes it (set to nil).
    public subscript(key: String) -> JSONValue? {
        get {
            members.first { $0.key == key }?.value
        }
        set {
            let index = members.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let index?, let value?): members[index].value = value
            case (let index?, nil): members.remove(at: index)
            case (nil, let value?): members.append((key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    public var keys: [String] {
        members.map(\.key)
    }

    public var count: Int {
        members.count
    }

    public var isEmpty: Bool {
        members.isEmpty
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        members.makeIterator()
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.elementsEqual(rhs.members) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}
