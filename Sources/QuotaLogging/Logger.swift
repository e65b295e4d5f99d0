#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A structured logger: one event is one line, in logfmt or JSON, with a
/// timestamp, level, message and ordered fields.
///
/// It is a value type so a component can carry its own context
/// (`logger.with(["provider": "cloudflare"])`) without locks. Callers pass
/// fields as strings and are responsible for never passing a secret; the
/// configuration's `Secret` type prints as `<redacted>` to make that hard.
public struct Logger: Sendable {
    public var level: LogLevel
    public var format: LogFormat
    public let sink: any LogSink
    private var context: [(String, String)]

    public init(level: LogLevel = .info, format: LogFormat = .logfmt, sink: any LogSink = StandardErrorSink()) {
        self.level = level
        self.format = format
        self.sink = sink
        self.context = []
    }

    /// A logger that writes nothing; for tests and components that log optionally.
    public static var disabled: Logger {
        Logger(level: .error, format: .logfmt, sink: NullSink())
    }

    /// A copy whose every line carries `fields` after the message.
    public func with(_ fields: KeyValuePairs<String, String>) -> Logger {
        var copy = self
        copy.context.append(contentsOf: fields.map { ($0.key, $0.value) })
        return copy
    }

    public func debug(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.debug, message, fields)
    }

    public func info(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.info, message, fields)
    }

    public func warn(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.warn, message, fields)
    }

    public func error(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.error, message, fields)
    }

    public func log(_ eventLevel: LogLevel, _ message: String, _ fields: KeyValuePairs<String, String>) {
        log(eventLevel, message, fields: fields.map { ($0.key, $0.value) })
    }

    /// For fields assembled at run time (a literal can't express "add the
    /// status only when there is one").
    public func log(_ eventLevel: LogLevel, _ message: String, fields: [(String, String)]) {
        guard eventLevel >= level else { return }
        var all: [(String, String)] = [("ts", Self.timestamp()), ("level", eventLevel.description), ("msg", message)]
        all.append(contentsOf: context)
        all.append(contentsOf: fields)
        sink.write(Self.render(all, format: format))
    }

    public func isEnabled(_ eventLevel: LogLevel) -> Bool { eventLevel >= level }

    static func render(_ fields: [(String, String)], format: LogFormat) -> String {
        switch format {
        case .logfmt:
            return fields.map { "\($0.0)=\(logfmtValue($0.1))" }.joined(separator: " ")
        case .json:
            return "{" + fields.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",") + "}"
        }
    }

    /// Quotes a value when logfmt needs it: empty, or containing a space,
    /// `=`, a quote, a backslash or a control character.
    static func logfmtValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "=" || scalar == "\"" || scalar == "\\" || scalar.value < 0x20 || scalar.value == 0x7F
        }
        guard needsQuotes else { return value }
        return "\"" + escaped(value) + "\""
    }

    static func jsonString(_ value: String) -> String {
        "\"" + escaped(value) + "\""
    }

    private static func escaped(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// RFC 3339 UTC with milliseconds, built from `clock_gettime` and
    /// `gmtime_r` so logging needs no shared formatter and no lock.
    static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let millis = Int32(spec.tv_nsec / 1_000_000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3))Z"
    }
}

private struct NullSink: LogSink {
    func write(_ line: String) {}
}
