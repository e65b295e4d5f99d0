extension ConfigType {
    /// An array whose elements each decode as `element`; errors name the
    /// element, e.g. `targets[2].regions[1]`.
    public static func array<Element>(of element: ConfigType<Element>, minCount: Int = 0) -> ConfigType<[Element]>
    where Value == [Element] {
        ConfigType<[Element]> { value, context throws(ConfigError) in
            guard case .array(let items) = value else { throw context.typeMismatch(expected: "an array", found: value) }
            guard items.count >= minCount else {
                throw context.error("must contain at least \(minCount) element\(minCount == 1 ? "" : "s")")
            }
            var decoded: [Element] = []
            decoded.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                decoded.append(try element.decode(item, context.element(index)))
            }
            return decoded
        }
    }
}

extension ConfigType where Value == [String] {
    public static var stringArray: ConfigType<[String]> {
        array(of: .string)
    }
}

extension ConfigType where Value == ConfigObject {
    /// A nested object, read with its own strict reader. Its unknown keys are
    /// reported by the parent's `finish()` as well as by its own.
    public static var object: ConfigType<ConfigObject> {
        ConfigType { value, context throws(ConfigError) in
            try context.object(value)
        }
    }
}

extension ConfigType where Value == [ConfigObject] {
    /// An array of objects; each reader's path ends in `[index]`.
    public static var objects: ConfigType<[ConfigObject]> {
        array(of: .object)
    }
}
