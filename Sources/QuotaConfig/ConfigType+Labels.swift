extension ConfigType where Value == [(name: String, value: String)] {
    /// Extra Prometheus labels as a JSON object of strings, in document order.
    ///
    /// Names must be valid Prometheus label names, must not start with `__`
    /// (reserved for Prometheus itself) and must not be in `reserved`, the
    /// names the exporter sets on its own series (such as `provider`,
    /// `account`, `quota`, `unit`), which a user label would silently clash
    /// with. Empty values are rejected because Prometheus treats an empty
    /// label as an absent one.
    public static func labels(reserved: Set<String>) -> ConfigType<[(name: String, value: String)]> {
        ConfigType { value, context throws(ConfigError) in
            guard case .object(let object) = value else {
                throw context.typeMismatch(expected: "an object of label names to string values", found: value)
            }
            var labels: [(name: String, value: String)] = []
            for (name, labelValue) in object {
                // An invalid name is reported at the object, quoted short:
                // the path would otherwise carry the whole key.
                try checkLabelName(name, reserved: reserved, in: context)
                let labelContext = context.member(name)
                guard let text = labelContext.text(of: labelValue) else {
                    throw labelContext.stringMismatch(expected: "a string", found: labelValue)
                }
                guard !text.isEmpty else {
                    throw labelContext.error("label value must not be empty (an empty label is the same as no label)")
                }
                labels.append((name: name, value: text))
            }
            return labels
        }
    }

    private static func checkLabelName(_ name: String, reserved: Set<String>, in context: ConfigContext) throws(ConfigError) {
        guard LabelName.isValid(name) else {
            throw context.error("invalid label name \(QuotedValue.quote(name)) (must match [a-zA-Z_][a-zA-Z0-9_]*)")
        }
        guard !name.hasPrefix("__") else {
            throw context.member(name).error("label names starting with \"__\" are reserved for Prometheus")
        }
        guard !reserved.contains(name) else {
            let list = reserved.sorted().joined(separator: ", ")
            throw context.member(name).error("label name \"\(name)\" is reserved by the exporter (reserved: \(list))")
        }
    }
}
