/// The body of one scrape and what had to be left out of it.
///
/// Bytes rather than a String because that is what the HTTP layer writes,
/// and building them directly avoids a second copy of a large body.
public struct Rendering: Sendable {
    /// The response body, UTF-8, in the format that was asked for.
    public var bytes: [UInt8]
    /// Everything that was dropped or changed, for the caller to log. Empty
    /// when the input was fully valid.
    public var problems: [ExpositionProblem]

    public init(bytes: [UInt8], problems: [ExpositionProblem]) {
        self.bytes = bytes
        self.problems = problems
    }
}
