/// An invariant of the code under test. `precondition` drops its message
/// in release builds; a finding is much quicker to triage with it, so this
/// prints it before trapping (libFuzzer then saves the input).
public func fuzzCheck(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() {
        fatalError("fuzz invariant violated: " + message(), file: file, line: line)
    }
}
