/// Everything a child that ran to its end left: how it ended and all it
/// wrote to its stdout and stderr pipes.
public struct ChildResult: Sendable {
    /// nil when the child outlived its timeout (it was killed then).
    public let exit: ExitStatus?
    public let stdout: [UInt8]
    public let stderr: [UInt8]

    public init(exit: ExitStatus?, stdout: [UInt8], stderr: [UInt8]) {
        self.exit = exit
        self.stdout = stdout
        self.stderr = stderr
    }

    /// The exit code; -1 for a signal or a timeout (as `Process` callers compared `terminationStatus`).
    public var status: Int32 { exit?.code ?? -1 }
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
