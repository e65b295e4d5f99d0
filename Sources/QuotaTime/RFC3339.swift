/// RFC 3339 §5.6 `date-time`, parsed strictly without Foundation or ICU
/// (whose parser traps on a long fraction), and written in UTC.
///
/// Accepted: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `T` and `Z` in
/// either case, any number of fraction digits (rounded half up to the
/// microsecond, linear in the input's length). Every field is range-checked:
/// month 01-12, day within the month (leap years included), hour < 24,
/// minute < 60, second ≤ 60, offset hours < 24 and minutes < 60.
///
/// A leap second (`:60`) is accepted and read as 59.999999 of its minute:
/// Unix time has no leap seconds, and refusing one would fail a whole
/// collection over a reading that is a second off. Its position (only the
/// last minute of a UTC month end may have one) is not checked, as that
/// needs the list of leap seconds, which changes.
public enum RFC3339 {
    /// Unix seconds; negative before 1970.
    public static func parse(_ text: some StringProtocol) throws(TimestampError) -> Double {
        var input = TimestampInput(text)
        guard !input.isAtEnd else { throw input.error("empty, expected an RFC 3339 date-time") }
        var time = CivilTime(year: 0, month: 1, day: 1)
        time.year = try input.digits(4, "year")
        try input.expect(UInt8(ascii: "-"), "\"-\" after the year")
        time.month = try input.digits(2, "month")
        try input.expect(UInt8(ascii: "-"), "\"-\" after the month")
        time.day = try input.digits(2, "day")
        guard input.skip(UInt8(ascii: "T")) || input.skip(UInt8(ascii: "t")) else {
            throw input.error("expected \"T\" between date and time at offset \(input.offset)")
        }
        time.hour = try input.digits(2, "hour")
        try input.expect(UInt8(ascii: ":"), "\":\" after the hour")
        time.minute = try input.digits(2, "minute")
        try input.expect(UInt8(ascii: ":"), "\":\" after the minute")
        time.second = try input.digits(2, "second")
        let microseconds = try fraction(&input)
        let offsetSeconds = try offset(&input)
        guard input.isAtEnd else { throw input.error("unexpected text after the offset at offset \(input.offset)") }
        return try unixSeconds(time, microseconds: microseconds, input: input) - Double(offsetSeconds)
    }

    /// `2026-12-01T21:27:06Z`: UTC, whole seconds (rounded down), years
    /// clamped to 0000-9999 and NaN written as the epoch, so it never traps.
    public static func format(unixSeconds: Double) -> String {
        let time = CivilTime(unixSeconds: unixSeconds)
        let pad = CivilTime.padded
        return "\(pad(time.year, 4))-\(pad(time.month, 2))-\(pad(time.day, 2))T"
            + "\(pad(time.hour, 2)):\(pad(time.minute, 2)):\(pad(time.second, 2))Z"
    }

    /// Checks the fields and combines them; shared with `HTTPDate`, whose
    /// fields have the same ranges. A leap second becomes 59.999999.
    static func unixSeconds(_ time: CivilTime, microseconds: Int, input: TimestampInput) throws(TimestampError) -> Double {
        guard (1...12).contains(time.month) else { throw input.error("month \(time.month) is not 01-12") }
        let days = CivilTime.daysInMonth(time.month, year: time.year)
        guard (1...days).contains(time.day) else {
            throw input.error("day \(time.day) is not 01-\(days) in month \(CivilTime.padded(time.month, 2)) of \(CivilTime.padded(time.year, 4))")
        }
        guard time.hour < 24 else { throw input.error("hour \(time.hour) is not 00-23") }
        guard time.minute < 60 else { throw input.error("minute \(time.minute) is not 00-59") }
        guard time.second <= 60 else { throw input.error("second \(time.second) is not 00-60") }
        if time.second == 60 {
            var clamped = time
            clamped.second = 59
            return Double(clamped.unixSeconds) + 0.999_999
        }
        return Double(time.unixSeconds) + Double(microseconds) / 1_000_000
    }

    /// `.` and at least one digit, or nothing: microseconds, 0...1 000 000
    /// (a fraction rounding up to a whole second gives 1 000 000).
    private static func fraction(_ input: inout TimestampInput) throws(TimestampError) -> Int {
        guard input.skip(UInt8(ascii: ".")) else { return 0 }
        var microseconds = 0
        var count = 0
        var roundUp = false
        while let byte = input.next, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let digit = Int(byte - UInt8(ascii: "0"))
            if count < 6 {
                microseconds = microseconds * 10 + digit
            } else if count == 6 {
                roundUp = digit >= 5
            }
            count += 1
            _ = input.skip(byte)
        }
        guard count > 0 else { throw input.error("expected a digit after \".\" at offset \(input.offset)") }
        for _ in count..<max(count, 6) {
            microseconds *= 10
        }
        return microseconds + (roundUp ? 1 : 0)
    }

    /// `Z`, `z` or `±HH:MM`, as seconds east of UTC.
    private static func offset(_ input: inout TimestampInput) throws(TimestampError) -> Int {
        if input.skip(UInt8(ascii: "Z")) || input.skip(UInt8(ascii: "z")) { return 0 }
        let sign: Int
        if input.skip(UInt8(ascii: "+")) {
            sign = 1
        } else if input.skip(UInt8(ascii: "-")) {
            sign = -1
        } else {
            throw input.error("expected \"Z\" or an offset such as \"+01:00\" at offset \(input.offset)")
        }
        let hours = try input.digits(2, "offset hours")
        try input.expect(UInt8(ascii: ":"), "\":\" in the offset")
        let minutes = try input.digits(2, "offset minutes")
        guard hours < 24 else { throw input.error("offset hours \(hours) are not 00-23") }
        guard minutes < 60 else { throw input.error("offset minutes \(minutes) are not 00-59") }
        return sign * (hours * 3600 + minutes * 60)
    }
}
