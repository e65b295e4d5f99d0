/// One metric family's exposition text, `# HELP` to its last sample.
///
/// A scrape body is made of parts rendered at different times (series
/// cached since the last collection, process metrics rendered now); keeping
/// each family's bytes apart lets those parts be interleaved into one body
/// sorted by family name without re-rendering or copying a byte.
public struct RenderedFamily: Sendable {
    public var name: String
    public var bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    /// The body chunks of one exposition made of `lists`, each sorted by
    /// name as `ExpositionWriter.renderEach` returns it: all families in name
    /// order, then `# EOF` for OpenMetrics. A name in more than one list is
    /// written once, from the first list that has it, and returned in
    /// `clashes` so the caller can log it; two families of one name would
    /// make Prometheus reject the whole scrape.
    public static func body(merging lists: [[RenderedFamily]], format: ExpositionFormat) -> (chunks: [[UInt8]], clashes: [String]) {
        var positions = [Int](repeating: 0, count: lists.count)
        var chunks: [[UInt8]] = []
        chunks.reserveCapacity(lists.reduce(1) { $0 + $1.count })
        var clashes: [String] = []
        var lastName: String?
        while true {
            // The list whose next family sorts first; on a tie the earlier list.
            var next: Int?
            for (list, position) in positions.enumerated() where position < lists[list].count {
                if let best = next, !lists[list][position].name.utf8Precedes(lists[best][positions[best]].name) { continue }
                next = list
            }
            guard let list = next else { break }
            let family = lists[list][positions[list]]
            positions[list] += 1
            if family.name == lastName {
                clashes.append(family.name)
                continue
            }
            lastName = family.name
            chunks.append(family.bytes)
        }
        if format == .openMetrics {
            chunks.append(Array("# EOF\n".utf8))
        }
        return (chunks, clashes)
    }
}

/// The families `ExpositionWriter.renderEach` rendered, and what it left out.
public struct RenderedFamilies: Sendable {
    public var families: [RenderedFamily]
    public var problems: [ExpositionProblem]

    public init(families: [RenderedFamily], problems: [ExpositionProblem]) {
        self.families = families
        self.problems = problems
    }
}
