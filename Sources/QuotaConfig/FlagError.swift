/// A command-line mistake, phrased for the person who typed it, e.g.
/// `unknown flag --web.listen-adress, did you mean --web.listen-address?`.
public struct FlagError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String {
        message
    }
}
