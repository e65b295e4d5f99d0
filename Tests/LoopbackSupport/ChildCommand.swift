import Foundation

/// What to run as a child process, and where its standard streams go.
/// Tests start children only through this and `Spawned`, never through
/// Foundation's `Process`: swift-corelibs-foundation's `Process.run()`
/// copies the whole 256-byte `d_name` of each `/proc/self/fd` entry
/// (`findMaximumOpenFromProcSelfFD`), which reads past readdir's buffer and
/// crashed about one full `swift test` in five ("Bad pointer dereference",
/// memcpy in `Process.run`). Fixed upstream in swiftlang/swift-corelibs-foundation
/// #5472, not in the Swift 6.3.1 used here. `scripts/check_no_process.sh` keeps it out.
public struct ChildCommand: Sendable {
    public enum Environment: Sendable {
        /// This process's environment.
        case inherited
        /// This process's environment with these set (replacing any of the same name).
        case adding([String: String])
        /// Exactly these variables.
        case replaced([String: String])
    }

    public enum Input: Sendable {
        case null
        /// A pipe the caller writes to; closing it (`closeInput`) is the child's EOF.
        case pipe
        /// Written by `finish` while it reads the output, then closed.
        case bytes([UInt8])
    }

    public enum Output: Sendable {
        case null
        /// Read with `readLine`, `drain` or `finish`.
        case pipe
        /// Created or truncated, for a log that a test reads while the child runs.
        case file(String)
        /// A descriptor of this process, duplicated into the child (the caller keeps and closes its own).
        case descriptor(Int32)
    }

    /// `arguments[0]` is a path, or a bare name looked up on this process's PATH (`posix_spawnp`).
    public var arguments: [String]
    public var environment: Environment
    /// The child's working directory; nil keeps this process's.
    public var directory: String?
    public var stdin: Input
    public var stdout: Output
    public var stderr: Output
    /// Added to the child's nice value right after it starts. For the
    /// CPU-heavy reference tools (openssl making keys, Python cross-checks):
    /// run beside the in-process servers, whose tests wait on answers, on
    /// a 2-core machine they took the CPU those answers needed.
    public var niceness: Int32

    public init(
        _ arguments: [String], environment: Environment = .inherited, directory: String? = nil,
        stdin: Input = .null, stdout: Output = .pipe, stderr: Output = .pipe, niceness: Int32 = 0
    ) {
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.niceness = niceness
    }

    /// The niceness the reference tools run at.
    public static let toolNiceness: Int32 = 10

    /// Starts the child; it runs until it exits, is signalled, or the
    /// returned handle goes (which kills it).
    public func spawn() throws -> Spawned { try Spawned(self) }

    /// Runs to the end on the calling thread: for code already off the
    /// cooperative pool (a fixture's own thread, `offPool`).
    public func runBlocking(timeout: Double = .infinity) throws -> ChildResult {
        try spawn().finish(timeout: timeout)
    }

    /// Runs to the end on a thread of its own, so the wait never holds one
    /// of the two cooperative threads every suite of the test process shares.
    public func run(timeout: Double = .infinity) async throws -> ChildResult {
        try await offPool { try runBlocking(timeout: timeout) }
    }

    /// The variables the child gets as `NAME=value`, nil for this process's own `environ`.
    var environmentEntries: [String]? {
        switch environment {
        case .inherited:
            return nil
        case .adding(let added):
            return ProcessInfo.processInfo.environment.merging(added) { $1 }.map { "\($0.key)=\($0.value)" }
        case .replaced(let variables):
            return variables.map { "\($0.key)=\($0.value)" }
        }
    }
}
