/// A family as it will be written: checked, merged with its namesakes,
/// deduplicated and sorted. Only `FamilyNormalizer` makes these.
struct ExposedFamily: Sendable {
    var names: ExposedNames
    /// The caller's name for the first family merged into this one, which is
    /// what problems about its samples are reported under.
    var sourceName: String
    var help: String
    var type: MetricType
    var samples: [Sample]
}
